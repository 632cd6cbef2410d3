package io.kaizen.devstack.platform;

import java.util.List;

import io.kaizen.devstack.PlatformRules;

/** The platforms the devstack emulates, in the order of their ports: one {@link PlatformRules} each. */
public final class PlatformEmulators {

    private PlatformEmulators() {
    }

    public static List<PlatformRules> rules() {
        return List.of(new SlackRules(), new DiscordRules(), new TeamsRules(), new TelegramRules(), new NotionRules());
    }
}

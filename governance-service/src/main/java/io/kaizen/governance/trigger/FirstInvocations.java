package io.kaizen.governance.trigger;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.kaizen.governance.journal.DecisionJournal;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Who has already used an agent ({@code agent_user_seen}), for the "first invocation by a user" trigger. An allowed
 * decision journals the user's use; the check flushes the agent's journal first, so a call right after the first
 * one sees it. Only agents with this trigger pay that PostgreSQL round trip on their decisions.
 */
@ApplicationScoped
public class FirstInvocations {

    private static final String SEEN = "insert into agent_user_seen (agent_id, user_id, first_seen_at)"
            + " values (:agent, :user, :now) on conflict do nothing";

    /**
     * Uses this replica remembers having journaled, at most this many: when full it starts again, which costs at most
     * one more journal entry per use (writing a use twice changes nothing).
     */
    static final int REMEMBERED = 16_384;

    private final DecisionJournal journal;
    private final Pool pool;
    /** Agent id, a space, user id (an agent id has no space): uses journaled by this replica since it started. */
    private final Set<String> journaled = ConcurrentHashMap.newKeySet();

    FirstInvocations(DecisionJournal journal, Pool pool) {
        this.journal = journal;
        this.pool = pool;
    }

    /** True when the user has never had an invocation of this agent allowed. */
    public Uni<Boolean> first(String agentId, String userId) {
        return journal.flush(agentId)
                .chain(() -> pool.preparedQuery("select 1 from agent_user_seen where agent_id = $1 and user_id = $2")
                        .execute(Tuple.of(agentId, userId)))
                .map(rows -> rows.size() == 0);
    }

    /**
     * Whether this replica has journaled the user's use of the agent ({@link #journaledNow}), so that it need not
     * journal it again. {@code agent_user_seen} is only ever added to, so a use once journaled stays recorded.
     */
    public boolean journaled(String agentId, String userId) {
        return journaled.contains(agentId + ' ' + userId);
    }

    /** Notes that the user's use of the agent is in the agent's journal. */
    public void journaledNow(String agentId, String userId) {
        if (journaled.size() >= REMEMBERED) {
            journaled.clear();
        }
        journaled.add(agentId + ' ' + userId);
    }

    /** Records that the user has invoked the agent; inside the caller's transaction. */
    public Uni<Void> markSeen(String agentId, String userId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(SEEN)
                .setParameter("agent", agentId)
                .setParameter("user", userId)
                .setParameter("now", Instant.now())
                .executeUpdate())
                .replaceWithVoid();
    }
}

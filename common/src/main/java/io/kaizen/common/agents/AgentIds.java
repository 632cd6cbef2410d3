package io.kaizen.common.agents;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;

/** Agent ids in paths: anything that is not a well-formed {@code agt_} id cannot exist, so it is a 404. */
public final class AgentIds {

    private AgentIds() {
    }

    public static String require(String id) {
        if (!PrefixedId.isValid(PrefixedId.AGENT, id)) {
            // not echoed: a malformed id is whatever the caller put in the path
            throw ProblemException.notFound("No external agent has that id");
        }
        return id;
    }

    /** The 404 for a well-formed id that is absent or belongs to another organisation. */
    public static ProblemException notFound(String id) {
        return ProblemException.notFound("External agent " + id + " does not exist or you don't have access");
    }
}

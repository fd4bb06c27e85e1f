package dev.wavoice.server.media;

import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.agent.AgentProfile;
import dev.wavoice.server.agent.CallAgentSettings;
import dev.wavoice.server.agent.CallFacts;
import java.util.Map;

/**
 * Calls on several WhatsApp numbers, each number's calls to its own agent: the route is picked by the phone number id
 * call control described the call with ({@link CallFacts}); a call it did not describe, or on an unmapped number, goes
 * to the default agent.
 */
final class NumberRoutes implements WebRtcCallMedia.AudioRoute {
    private final AgentDirectory agents;
    private final Map<AgentProfile, WebRtcCallMedia.AudioRoute> routes;
    private final CallAgentSettings perCall;

    NumberRoutes(AgentDirectory agents, Map<AgentProfile, WebRtcCallMedia.AudioRoute> routes,
            CallAgentSettings perCall) {
        this.agents = agents;
        this.routes = Map.copyOf(routes);
        this.perCall = perCall;
    }

    @Override
    public CallAudio attach(WebRtcCallMedia.CallContext call) {
        CallFacts facts = perCall.facts(call.callId());
        return routes.get(agents.forNumber(facts == null ? null : facts.phoneNumberId())).attach(call);
    }
}

package dev.wavoice.server.agent;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event a session reports, for assertions. */
final class RecordingListener implements AgentListener {
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(AgentEvent event) {
        events.add(event);
    }

    List<AgentEvent> events() {
        return List.copyOf(events);
    }

    <T extends AgentEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** All assistant audio for one item, concatenated. */
    short[] audio(String itemId) {
        List<AgentEvent.AudioDelta> deltas = of(AgentEvent.AudioDelta.class).stream()
                .filter(d -> d.itemId().equals(itemId)).toList();
        short[] all = new short[deltas.stream().mapToInt(d -> d.pcm().length).sum()];
        int off = 0;
        for (AgentEvent.AudioDelta d : deltas) {
            System.arraycopy(d.pcm(), 0, all, off, d.pcm().length);
            off += d.pcm().length;
        }
        return all;
    }
}

package io.camelsendmail.smtp;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the simulated servers of one run did, as the invariants of {@link PipelineInvariantsTest} need it. */
final class World {

    private static final Pattern MESSAGE_ID = Pattern.compile("Message-ID: <(m\\d+)@sim>");

    /** Per message: how many times a server took it (its data complete, and kept). */
    final Map<String, Integer> taken = new HashMap<>();
    /** Messages whose end of data a server answered 250. */
    final Set<String> acknowledged = new HashSet<>();
    /** Messages whose end of data a server answered 5xx. */
    final Set<String> refusedPermanently = new HashSet<>();
    /** Per connection that a server ended: whether it said 421 first. */
    final Map<Integer, Boolean> endedWith421 = new HashMap<>();
    /** Per message: the connections its data was written on (whether the server read it or not). */
    final Map<String, Set<Integer>> writtenOn = new HashMap<>();
    int currentConnection;
    int hangs;
    int strays;
    int floods;
    int pipelinedQuits;
    int closings;
    int drops;
    int resets;

    void taken(String id, int connection) {
        taken.merge(id, 1, Integer::sum);
    }

    void acknowledged(String id) {
        acknowledged.add(id);
    }

    void refusedPermanently(String id) {
        refusedPermanently.add(id);
    }

    void ended(int connection, boolean said421) {
        endedWith421.put(connection, said421);
    }

    void noteWritten(byte[] flushed) {
        Matcher m = MESSAGE_ID.matcher(new String(flushed, StandardCharsets.UTF_8));
        while (m.find()) {
            writtenOn.computeIfAbsent(m.group(1), id -> new HashSet<>()).add(currentConnection);
        }
    }

    /** @return whether a connection this message was written on ended without a 421: the server may hold it */
    boolean writtenWhereTheServerWentSilent(String id) {
        return writtenOn.getOrDefault(id, Set.of()).stream()
                .anyMatch(connection -> Boolean.FALSE.equals(endedWith421.get(connection)));
    }
}

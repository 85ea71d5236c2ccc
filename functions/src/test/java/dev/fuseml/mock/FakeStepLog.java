package dev.fuseml.mock;

import dev.fuseml.step.StepLog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A run log in memory. */
public class FakeStepLog implements StepLog {
    public final Map<String, List<String>> lines = new ConcurrentHashMap<>();

    @Override
    public void append(String run, String line) {
        List<String> log = lines.computeIfAbsent(run, r -> new ArrayList<>());
        synchronized (log) {
            log.add(line);
        }
    }

    @Override
    public String tail(String run, int n) {
        List<String> log = lines.getOrDefault(run, List.of());
        synchronized (log) {
            return String.join("\n", log.subList(Math.max(0, log.size() - n), log.size()));
        }
    }

    public String text(String run) {
        return tail(run, Integer.MAX_VALUE);
    }

    @Override
    public void flush(String run) {
    }

    @Override
    public void forget(String run) {
    }
}

package dev.fuseml.extension;

import java.util.List;

/**
 * Tools already installed where FuseML runs, found without being told (fuseml-core's auto-detection): suggestions
 * that {@code fuseml extensions list} shows beside what is registered, each with the command that registers it.
 */
public interface ToolDetector {
    /**
     * A tool found: its kind ({@link Extension#KINDS}), a name to register it under, its URL inside the platform (none
     * for a kind that is an API of the cluster itself) and what it was found by.
     */
    record Suggestion(String name, String kind, String url, String evidence) {
    }

    List<Suggestion> detect();

    /** One machine: nothing is installed beside FuseML that it could find without being told. */
    ToolDetector NONE = List::of;
}

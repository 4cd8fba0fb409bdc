package com.betterdb.semanticcache.examples;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Were the cached answers right? The demo's prompts come in paraphrase groups (plus one-offs, each a group of its
 * own), so a hit is right when the prompt whose answer it served belongs to the same group as the prompt asked, and
 * a wrong answer served otherwise. Fed from the responses topic: which prompt each LLM answer was stored for (by
 * entry key), and which entry each hit matched. Thread-safe.
 */
final class AnswerQuality {

    /**
     * One judged cache hit: the prompt asked, the stored prompt whose answer was served, their cosine distance, and
     * whether both are in the same group.
     */
    record Hit(String prompt, String matchedPrompt, double distance, boolean right) {
    }

    /**
     * @param hits       cache hits seen
     * @param sameGroup  hits that served an answer to a paraphrase of the prompt (or to the prompt itself)
     * @param wrong      hits that served another group's answer
     * @param unresolved hits whose matched entry was not seen being stored (cannot be judged)
     * @param worst      wrong answers, the closest (most confidently wrong) first
     * @param farthest   judged hits at the largest distances (the least similar matches served), right or wrong
     */
    record Report(int hits, int sameGroup, int wrong, int unresolved, List<Hit> worst, List<Hit> farthest) {
    }

    private final Map<String, Integer> groupOf = new HashMap<>();
    private final Map<String, String> storedPrompt = new ConcurrentHashMap<>();
    private final List<String[]> hits = new ArrayList<>();
    private final List<Double> distances = new ArrayList<>();

    AnswerQuality(DemoPrompts prompts) {
        int g = 0;
        for (List<String> group : prompts.groups()) {
            for (String p : group) {
                assign(p, g);
            }
            g++;
        }
        for (String p : prompts.unrelated()) {
            assign(p, g++);
        }
    }

    private void assign(String prompt, int group) {
        Integer previous = groupOf.putIfAbsent(prompt, group);
        if (previous != null && previous != group) {
            throw new IllegalArgumentException("prompt in two groups: " + prompt);
        }
    }

    /** An LLM answer to {@code prompt} was stored under {@code entryKey}. */
    void stored(String entryKey, String prompt) {
        storedPrompt.put(entryKey, prompt);
    }

    /** {@code prompt} was answered from the cache entry {@code matchedKey} at cosine distance {@code distance}. */
    synchronized void hit(String prompt, String matchedKey, double distance) {
        hits.add(new String[] {prompt, matchedKey});
        distances.add(distance);
    }

    /** Judges every hit seen so far; lists at most {@code listed} wrong answers and {@code listed} farthest hits. */
    synchronized Report report(int listed) {
        int same = 0;
        int unresolved = 0;
        List<Hit> wrong = new ArrayList<>();
        List<Hit> judged = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) {
            String prompt = hits.get(i)[0];
            String matched = storedPrompt.get(hits.get(i)[1]);
            Integer asked = groupOf.get(prompt);
            Integer served = matched == null ? null : groupOf.get(matched);
            if (asked == null || served == null) {
                unresolved++;
            } else {
                Hit h = new Hit(prompt, matched, distances.get(i), asked.equals(served));
                judged.add(h);
                if (h.right()) {
                    same++;
                } else {
                    wrong.add(h);
                }
            }
        }
        Comparator<Hit> byDistance = Comparator.comparingDouble(Hit::distance).thenComparing(Hit::prompt);
        wrong.sort(byDistance);
        judged.sort(byDistance.reversed());
        return new Report(hits.size(), same, wrong.size(), unresolved, first(wrong, listed), first(judged, listed));
    }

    private static List<Hit> first(List<Hit> hits, int n) {
        return List.copyOf(hits.subList(0, Math.min(n, hits.size())));
    }
}

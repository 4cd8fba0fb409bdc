package com.betterdb.semanticcache.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The bundled prompts ({@code demo-prompts.txt}): paraphrase groups and unrelated one-offs. */
record DemoPrompts(List<List<String>> groups, List<String> unrelated) {

    static DemoPrompts load() throws IOException {
        List<List<String>> groups = new ArrayList<>();
        List<String> unrelated = new ArrayList<>();
        try (InputStream in = DemoPrompts.class.getResourceAsStream("/demo-prompts.txt")) {
            if (in == null) {
                throw new IOException("demo-prompts.txt not on the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> current = new ArrayList<>();
            boolean inUnrelated = false;
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (line.startsWith("## unrelated")) {
                    inUnrelated = true;
                    continue;
                }
                if (line.startsWith("#")) {
                    continue;
                }
                if (line.isEmpty()) {
                    if (!current.isEmpty()) {
                        groups.add(current);
                        current = new ArrayList<>();
                    }
                    continue;
                }
                if (inUnrelated) {
                    unrelated.add(line);
                } else {
                    current.add(line);
                }
            }
            if (!current.isEmpty()) {
                groups.add(current);
            }
        }
        return new DemoPrompts(groups, unrelated);
    }

    int size() {
        return unrelated.size() + groups.stream().mapToInt(List::size).sum();
    }

    /**
     * The order prompts are sent in: first the first phrasing of every group mixed with the unrelated prompts,
     * then the other phrasings, shuffled, so a paraphrase usually comes after the LLM answered its group once.
     */
    List<String> sendOrder(long seed) {
        Random random = new Random(seed);
        List<String> first = new ArrayList<>(unrelated);
        List<String> later = new ArrayList<>();
        for (List<String> g : groups) {
            first.add(g.get(0));
            later.addAll(g.subList(1, g.size()));
        }
        Collections.shuffle(first, random);
        Collections.shuffle(later, random);
        List<String> order = new ArrayList<>(first);
        order.addAll(later);
        return order;
    }
}

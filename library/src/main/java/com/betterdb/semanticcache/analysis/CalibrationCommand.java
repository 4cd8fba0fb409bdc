package com.betterdb.semanticcache.analysis;

import com.betterdb.semanticcache.analysis.Calibration.Choice;
import com.betterdb.semanticcache.analysis.Calibration.LabelledDistance;
import com.betterdb.semanticcache.analysis.Calibration.LabelledPrompts;
import com.betterdb.semanticcache.embed.local.LocalEmbedder;
import com.betterdb.semanticcache.embed.local.LocalModel;
import com.betterdb.semanticcache.internal.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Command-line calibration: reads labelled pairs and prints the threshold for each target precision and the best-F1
 * threshold, with bootstrap intervals ({@link Calibration}).
 *
 * <pre>
 * java -cp &lt;class path&gt; com.betterdb.semanticcache.analysis.CalibrationCommand pairs.tsv \
 *     [--target-precision 0.95 ...] [--model bge-small-en-v1.5-q] [--bootstrap 1000] [--seed 42] [--format tsv|jsonl]
 * </pre>
 *
 * Input ({@code -} reads standard input; the format follows the file extension, {@code .jsonl}/{@code .json} or
 * else TSV):
 * <ul>
 *   <li>TSV, one pair per line: {@code distance<TAB>label}, or {@code prompt<TAB>cached prompt<TAB>label}. A first
 *       line that starts with {@code distance} or {@code prompt}, or whose label does not parse, is a header and
 *       skipped; so are blank lines and lines starting with
 *       {@code #}.</li>
 *   <li>JSONL, one object per line: {@code {"distance":0.12,"label":true}}, or
 *       {@code {"prompt":"...","cached_prompt":"...","accepted":false}} ({@code cachedPrompt}, {@code match} and
 *       {@code label} are accepted as names too).</li>
 * </ul>
 * Labels: {@code true/false}, {@code 1/0}, {@code yes/no}, {@code accept(ed)/reject(ed)}, {@code match/mismatch}.
 * Prompt pairs are embedded with the local model named by {@code --model} (default {@link LocalModel#DEFAULT}),
 * which needs that model's artifact on the class path; use the model your cache uses.
 */
public final class CalibrationCommand {

    private CalibrationCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs the command; returns the exit code (0 done, 2 bad usage or input). */
    static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (o.help) {
            out.println(USAGE);
            return 0;
        }
        Input input;
        try {
            input = read(o, stdin);
        } catch (IllegalArgumentException | IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        Calibration calibration;
        if (input.prompts.isEmpty()) {
            calibration = Calibration.of(input.distances);
        } else {
            LocalModel model;
            try {
                model = LocalModel.byName(o.model);
            } catch (IllegalArgumentException e) {
                err.println("error: " + e.getMessage());
                return 2;
            }
            out.printf(Locale.ROOT, "embedding %d prompt pairs with %s ...%n", input.prompts.size(), model.id());
            try (LocalEmbedder embedder = LocalEmbedder.create(model)) {
                calibration = Calibration.fromPrompts(input.prompts, embedder).block();
            } catch (IllegalStateException e) {
                err.println("error: " + e.getMessage());
                return 2;
            }
        }
        report(calibration.withBootstrap(o.bootstrap, o.seed), o.targets, out);
        return 0;
    }

    static final String USAGE = "usage: CalibrationCommand <pairs.tsv|pairs.jsonl|-> [--target-precision P]... "
            + "[--model " + LocalModel.DEFAULT.id() + "] [--bootstrap 1000] [--seed 42] [--format tsv|jsonl]";

    private static void report(Calibration c, List<Double> targets, PrintStream out) {
        int n = c.size();
        out.printf(Locale.ROOT, "pairs: %d, matching: %d (%.1f%%)%n", n, c.positives(),
                n == 0 ? 0.0 : 100.0 * c.positives() / n);
        for (double target : targets) {
            Optional<Choice> choice = c.forPrecision(target);
            String label = String.format(Locale.ROOT, "precision >= %.3f", target);
            if (choice.isEmpty()) {
                out.println(label + ": no threshold reaches this precision on these pairs");
            } else {
                print(label, choice.get(), out);
            }
        }
        Optional<Choice> f1 = c.bestF1();
        if (f1.isEmpty()) {
            out.println("best F1: no matching pair");
        } else {
            print("best F1", f1.get(), out);
        }
    }

    private static void print(String label, Choice ch, PrintStream out) {
        Calibration.OperatingPoint p = ch.point();
        out.printf(Locale.ROOT, "%s: threshold %.4f  precision %.3f  recall %.3f  F1 %.3f  hit rate %.3f%n",
                label, p.threshold(), p.precision(), p.recall(), p.f1(), p.hitRate());
        if (ch.bootstrapRounds() > 0) {
            out.printf(Locale.ROOT, "    95%% bootstrap (%d of %d rounds feasible; precision/recall on left-out pairs):"
                            + " threshold %.4f..%.4f  precision %.3f..%.3f  recall %.3f..%.3f%n",
                    ch.feasibleRounds(), ch.bootstrapRounds(), ch.threshold().low(), ch.threshold().high(),
                    ch.precision().low(), ch.precision().high(), ch.recall().low(), ch.recall().high());
        }
    }

    // ---------------------------------------------------------------------------------------------- input

    /** Parsed pairs: distances or prompt triples (never both). */
    static final class Input {
        final List<LabelledDistance> distances = new ArrayList<>();
        final List<LabelledPrompts> prompts = new ArrayList<>();
    }

    static Input read(Options o, InputStream stdin) throws IOException {
        boolean jsonl = o.format != null ? o.format.equals("jsonl")
                : o.input.endsWith(".jsonl") || o.input.endsWith(".json");
        InputStream in = o.input.equals("-") ? stdin : Files.newInputStream(Path.of(o.input));
        Input input = new Input();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                try {
                    if (jsonl) {
                        readJson(trimmed, input);
                    } else {
                        readTsv(line, input, no);
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(o.input + " line " + no + ": " + e.getMessage(), e);
                }
            }
        } finally {
            if (in != stdin) {
                in.close();
            }
        }
        if (!input.distances.isEmpty() && !input.prompts.isEmpty()) {
            throw new IllegalArgumentException(o.input + " mixes distance pairs and prompt pairs");
        }
        if (input.distances.isEmpty() && input.prompts.isEmpty()) {
            throw new IllegalArgumentException(o.input + " has no labelled pairs");
        }
        return input;
    }

    private static void readTsv(String line, Input input, int lineNo) {
        String[] f = line.replace("\r", "").split("\t", -1);
        String first = f[0].strip().toLowerCase(Locale.ROOT);
        if (lineNo == 1 && (first.equals("distance") || first.equals("prompt"))) {
            return; // header (its label column may be named "accepted" or "match", which are also label values)
        }
        Boolean label = f.length >= 2 ? parseLabel(f[f.length - 1].strip()) : null;
        if (label == null) {
            if (lineNo == 1) {
                return; // header
            }
            throw new IllegalArgumentException("expected distance<TAB>label or prompt<TAB>cached prompt<TAB>label"
                    + " with a label like true/false/1/0, got " + f.length + " fields");
        }
        if (f.length == 2) {
            input.distances.add(new LabelledDistance(parseDistance(f[0].strip()), label));
        } else if (f.length == 3) {
            input.prompts.add(new LabelledPrompts(f[0], f[1], label));
        } else {
            throw new IllegalArgumentException("expected 2 or 3 tab-separated fields, got " + f.length);
        }
    }

    private static void readJson(String line, Input input) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        JsonNode labelNode = first(node, "label", "accepted", "match");
        Boolean label = labelNode == null ? null : labelNode.isBoolean() ? Boolean.valueOf(labelNode.booleanValue())
                : parseLabel(labelNode.asText());
        if (label == null) {
            throw new IllegalArgumentException("missing or unreadable label (label, accepted or match)");
        }
        JsonNode distance = node.get("distance");
        JsonNode prompt = node.get("prompt");
        JsonNode cached = first(node, "cached_prompt", "cachedPrompt");
        if (distance != null && distance.isNumber()) {
            input.distances.add(new LabelledDistance(distance.doubleValue(), label));
        } else if (prompt != null && prompt.isTextual() && cached != null && cached.isTextual()) {
            input.prompts.add(new LabelledPrompts(prompt.textValue(), cached.textValue(), label));
        } else {
            throw new IllegalArgumentException("expected a numeric distance, or prompt and cached_prompt strings");
        }
    }

    private static JsonNode first(JsonNode node, String... names) {
        for (String n : names) {
            JsonNode v = node.get(n);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static double parseDistance(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("distance is not a number: '" + s + "'");
        }
    }

    /** A label, or {@code null} when {@code s} is not one. */
    static Boolean parseLabel(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "y", "accept", "accepted", "match" -> Boolean.TRUE;
            case "false", "0", "no", "n", "reject", "rejected", "mismatch" -> Boolean.FALSE;
            default -> null;
        };
    }

    // ---------------------------------------------------------------------------------------------- options

    static final class Options {
        String input;
        String format;
        String model = LocalModel.DEFAULT.id();
        final List<Double> targets = new ArrayList<>();
        int bootstrap = Calibration.DEFAULT_BOOTSTRAP_ROUNDS;
        long seed = Calibration.DEFAULT_SEED;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> o.help = true;
                    case "--target-precision" -> o.targets.add(number(a, value(args, ++i, a)));
                    case "--model" -> o.model = value(args, ++i, a);
                    case "--bootstrap" -> o.bootstrap = (int) number(a, value(args, ++i, a));
                    case "--seed" -> o.seed = (long) number(a, value(args, ++i, a));
                    case "--format" -> {
                        o.format = value(args, ++i, a).toLowerCase(Locale.ROOT);
                        if (!o.format.equals("tsv") && !o.format.equals("jsonl")) {
                            throw new IllegalArgumentException("--format must be tsv or jsonl, got " + o.format);
                        }
                    }
                    default -> {
                        if (a.startsWith("--") || o.input != null) {
                            throw new IllegalArgumentException("unexpected argument '" + a + "'");
                        }
                        o.input = a;
                    }
                }
            }
            if (o.help) {
                return o;
            }
            if (o.input == null) {
                throw new IllegalArgumentException("no input file (use - for standard input)");
            }
            if (o.targets.isEmpty()) {
                o.targets.add(0.95);
            }
            for (double t : o.targets) {
                if (!(t > 0 && t <= 1)) {
                    throw new IllegalArgumentException("--target-precision must be in (0, 1], got " + t);
                }
            }
            if (o.bootstrap < 0) {
                throw new IllegalArgumentException("--bootstrap must be >= 0");
            }
            return o;
        }

        private static String value(String[] args, int i, String name) {
            if (i >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return args[i];
        }

        private static double number(String name, String v) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " needs a number, got '" + v + "'");
            }
        }
    }
}

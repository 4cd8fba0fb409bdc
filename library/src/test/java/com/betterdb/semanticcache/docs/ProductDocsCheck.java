package com.betterdb.semanticcache.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks what a user who clones the repository reads: README.md, docs/, every module's pom.xml and src/main. The
 * team's specification lives outside the repository, so nothing there may point at it, and every document a link
 * or a javadoc reference names must be in the repository:
 * <ul>
 *   <li>no mention of {@code ../shared}, {@code /work/shared} or {@code shared/spec|fixtures|data|design|valkey-search};</li>
 *   <li>every relative Markdown link in README.md and docs/ resolves to a file, and its {@code #anchor} to a heading;</li>
 *   <li>every {@code something.md} named in a source file exists, and a {@code docs/x.md §N} reference names a
 *       numbered heading of that document.</li>
 * </ul>
 * Test sources are not checked: they may cite where their fixtures were copied from.
 */
final class ProductDocsCheck {

    private static final Pattern OUTSIDE = Pattern.compile(
            "(?<![\\w.-])(?:\\.\\./)+shared\\b|/work/shared\\b|(?<![\\w-])shared/(?:spec|fixtures|data|design|valkey-search)\\b");
    /** Inline Markdown links and images: {@code [text](target)}. */
    private static final Pattern MD_LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    /** A file name ending in .md, optionally with a relative path, as written in source files and comments. */
    private static final Pattern MD_NAME = Pattern.compile("(?<![\\w./-])((?:[\\w.-]+/)*[\\w.-]+\\.md)\\b(?:`?\\s*§(\\d+(?:\\.\\d+)?))?");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern NUMBERED = Pattern.compile("^(\\d+(?:\\.\\d+)*)\\.?\\s");
    private static final Set<String> TEXT_SUFFIXES = Set.of(".java", ".md", ".xml", ".properties", ".txt", ".json",
            ".yml", ".yaml", ".html");

    private final Path root;
    private final List<String> problems = new ArrayList<>();
    private final Map<Path, Set<String>> anchors = new HashMap<>();
    private final Map<Path, Set<String>> sections = new HashMap<>();

    private ProductDocsCheck(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** Runs every check on the repository at {@code root}; returns the problems, empty when all is well. */
    static List<String> run(Path root) {
        ProductDocsCheck c = new ProductDocsCheck(root);
        for (Path f : c.productFiles()) {
            c.check(f);
        }
        return c.problems;
    }

    /** The repository root: the nearest directory upwards that holds both mvnw and docs/. */
    static Path findRoot(Path start) {
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (mvnw + docs/) above " + start.toAbsolutePath());
    }

    private List<Path> productFiles() {
        List<Path> files = new ArrayList<>();
        addIfFile(files, root.resolve("README.md"));
        addIfFile(files, root.resolve("pom.xml"));
        walk(root.resolve("docs"), files);
        try (Stream<Path> modules = Files.list(root)) {
            for (Path m : modules.filter(d -> Files.isRegularFile(d.resolve("pom.xml"))).sorted().toList()) {
                addIfFile(files, m.resolve("pom.xml"));
                walk(m.resolve("src/main"), files);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static void addIfFile(List<Path> files, Path p) {
        if (Files.isRegularFile(p)) {
            files.add(p);
        }
    }

    private static void walk(Path dir, List<Path> files) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile)
                    .filter(p -> TEXT_SUFFIXES.stream().anyMatch(x -> p.getFileName().toString().endsWith(x)))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void check(Path file) {
        String text = read(file);
        String rel = root.relativize(file).toString();
        List<String> lines = text.lines().toList();
        boolean markdown = rel.endsWith(".md");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = rel + ":" + (i + 1);
            Matcher outside = OUTSIDE.matcher(line);
            while (outside.find()) {
                problems.add(where + ": refers outside the repository: '" + outside.group() + "'");
            }
            if (markdown) {
                checkMarkdownLinks(file, where, line);
            }
            checkNamedDocuments(file, where, line);
        }
    }

    private void checkMarkdownLinks(Path file, String where, String line) {
        Matcher m = MD_LINK.matcher(line);
        while (m.find()) {
            String target = m.group(1);
            if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                continue; // https:, mailto:, ...
            }
            int hash = target.indexOf('#');
            String path = hash < 0 ? target : target.substring(0, hash);
            String anchor = hash < 0 ? null : target.substring(hash + 1);
            Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
            if (!resolved.startsWith(root)) {
                problems.add(where + ": link leaves the repository: " + target);
            } else if (!Files.exists(resolved)) {
                problems.add(where + ": link to a missing file: " + target);
            } else if (anchor != null && resolved.toString().endsWith(".md")
                    && !anchorsOf(resolved).contains(anchor)) {
                problems.add(where + ": link to a missing heading: " + target);
            }
        }
    }

    private void checkNamedDocuments(Path file, String where, String line) {
        Matcher m = MD_NAME.matcher(line);
        while (m.find()) {
            String name = m.group(1);
            Path fromRoot = root.resolve(name).normalize();
            Path fromFile = file.getParent().resolve(name).normalize();
            // A class may name a resource of its package ("PROVENANCE.md beside this class").
            Path fromResources = Path.of(file.toString().replace("/src/main/java/", "/src/main/resources/"))
                    .getParent().resolve(name).normalize();
            Path doc = Stream.of(fromRoot, fromFile, fromResources).filter(Files::isRegularFile).findFirst().orElse(null);
            if (doc == null) {
                problems.add(where + ": names a document that is not in the repository: " + name
                        + " (write it as a path from the repository root, e.g. docs/data-format.md)");
            } else if (m.group(2) != null && !sectionsOf(doc).contains(m.group(2))) {
                problems.add(where + ": " + name + " has no section §" + m.group(2));
            }
        }
    }

    private Set<String> anchorsOf(Path md) {
        return anchors.computeIfAbsent(md, p -> {
            Set<String> out = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            for (String heading : headings(p)) {
                String slug = slug(heading);
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                out.add(n == 0 ? slug : slug + "-" + n);
            }
            return out;
        });
    }

    private Set<String> sectionsOf(Path md) {
        return sections.computeIfAbsent(md, p -> {
            Set<String> out = new HashSet<>();
            for (String heading : headings(p)) {
                Matcher m = NUMBERED.matcher(heading);
                if (m.find()) {
                    out.add(m.group(1));
                }
            }
            return out;
        });
    }

    private static List<String> headings(Path md) {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : read(md).lines().toList()) {
            if (line.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (!fenced && m.matches()) {
                out.add(m.group(2));
            }
        }
        return out;
    }

    /** GitHub's heading anchor: lower case, punctuation other than '-' and '_' dropped, spaces to '-'. */
    static String slug(String heading) {
        String s = heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s_-]", "");
        return s.trim().replace(' ', '-');
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package com.betterdb.semanticcache.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps README examples and their compiled sources identical: the code between {@code // README-BEGIN <name>} and
 * {@code // README-END <name>} in a source file must be one of the README's {@code ```java} blocks (lines compared
 * without their common indentation and trailing spaces).
 */
public final class ReadmeSnippets {

    private static final String BEGIN = "// README-BEGIN ";
    private static final String END = "// README-END ";

    private ReadmeSnippets() {
    }

    /** The repository's README.md, found from the working directory (a module directory) upwards. */
    public static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("README.md");
            if (Files.isRegularFile(candidate) && Files.isDirectory(dir.resolve("library"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("README.md of the repository not found above " + Path.of("").toAbsolutePath());
    }

    /** The snippet {@code name} of {@code source}, without its common indentation. */
    public static String snippet(Path source, String name) {
        List<String> lines = read(source);
        int from = indexOf(lines, BEGIN + name, 0, source);
        int to = indexOf(lines, END + name, from + 1, source);
        return normalize(lines.subList(from + 1, to));
    }

    /** Every {@code ```java} block of the markdown file, each without its common indentation. */
    public static List<String> javaBlocks(Path markdown) {
        List<String> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : read(markdown)) {
            if (current == null && line.strip().equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && line.strip().equals("```")) {
                blocks.add(normalize(current));
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    private static int indexOf(List<String> lines, String marker, int from, Path source) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new IllegalArgumentException(source + " has no " + marker + " line");
    }

    private static String normalize(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.isBlank() ? "" : l.substring(indent).stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

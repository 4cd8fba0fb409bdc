package com.betterdb.semanticcache.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh clone has every document the README, docs/ and the javadoc refer to, and nothing points at the team's
 * specification folder outside the repository ({@link ProductDocsCheck}).
 */
class ProductDocsTest {

    @Test
    void theRepositoryIsSelfContained() {
        List<String> problems = ProductDocsCheck.run(ProductDocsCheck.findRoot(Path.of("")));
        assertThat(problems).as("product files referring to documents a clone does not have").isEmpty();
    }

    @Test
    void reportsReferencesOutsideTheRepository(@TempDir Path repo) throws IOException {
        Path src = skeleton(repo).resolve("library/src/main/java/X.java");
        write(src, "/** Format: see ../shared/spec/data-format.md and /work/shared/fixtures. */\nclass X {}\n");

        assertThat(ProductDocsCheck.run(repo))
                .anyMatch(p -> p.startsWith("library/src/main/java/X.java:1") && p.contains("'../shared'"))
                .anyMatch(p -> p.contains("'/work/shared'"))
                .anyMatch(p -> p.contains("names a document that is not in the repository: ../shared/spec/data-format.md"));
    }

    @Test
    void reportsMissingFilesHeadingsAndSections(@TempDir Path repo) throws IOException {
        skeleton(repo);
        write(repo.resolve("docs/format.md"), "# Format\n\n## 3. Entry hash: `{name}:entry:{uuid}`\n\n```\n# not a heading\n```\n");
        write(repo.resolve("README.md"), String.join("\n",
                "[ok](docs/format.md#3-entry-hash-nameentryuuid)",
                "[gone](docs/missing.md)",
                "[bad anchor](docs/format.md#not-a-heading)",
                "[outside](../elsewhere.md)",
                "[web](https://example.org/x.md)", ""));
        write(repo.resolve("library/src/main/java/Y.java"),
                "/** (docs/format.md §3) fine; (docs/format.md §4) is not a section. */\nclass Y {}\n");

        List<String> problems = ProductDocsCheck.run(repo);

        assertThat(problems).containsExactlyInAnyOrder(
                "README.md:2: link to a missing file: docs/missing.md",
                "README.md:2: names a document that is not in the repository: docs/missing.md (write it as a path from the repository root, e.g. docs/data-format.md)",
                "README.md:3: link to a missing heading: docs/format.md#not-a-heading",
                "README.md:4: link leaves the repository: ../elsewhere.md",
                "README.md:4: names a document that is not in the repository: ../elsewhere.md (write it as a path from the repository root, e.g. docs/data-format.md)",
                "library/src/main/java/Y.java:1: docs/format.md has no section §4");
    }

    @Test
    void slugsFollowGitHub() {
        assertThat(ProductDocsCheck.slug("9. Miss-pending: `{name}:__miss_pending`")).isEqualTo("9-miss-pending-name__miss_pending");
        assertThat(ProductDocsCheck.slug("4.4 \"Index does not exist\"")).isEqualTo("44-index-does-not-exist");
        assertThat(ProductDocsCheck.slug("Shutdown order")).isEqualTo("shutdown-order");
    }

    private static Path skeleton(Path repo) throws IOException {
        write(repo.resolve("mvnw"), "");
        Files.createDirectories(repo.resolve("docs"));
        write(repo.resolve("library/pom.xml"), "<project/>\n");
        return repo;
    }

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}

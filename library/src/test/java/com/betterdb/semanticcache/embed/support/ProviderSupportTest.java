package com.betterdb.semanticcache.embed.support;

import com.betterdb.semanticcache.EmbeddingError;
import com.betterdb.semanticcache.embed.RetryPolicy;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The shared pieces of the providers: retry loop, Retry-After, backoff, redaction, error bodies. */
class ProviderSupportTest {

    private static final RetryPolicy FAST = RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ofSeconds(10)).scheduler(Schedulers.parallel()).build();
    private static final Redactor NOTHING = new Redactor(List.of(), List.of());

    @Test
    void aRetryAfterLongerThanMaxBackoffEndsTheRetriesAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        RetryLoop loop = new RetryLoop("P", FAST, null);
        EmbeddingError e = catchThrowableOfType(EmbeddingError.class, () -> loop.run(() -> {
            calls.incrementAndGet();
            return Mono.error(AttemptFailure.reply(429, "slow down", Duration.ofSeconds(60)));
        }, NOTHING).block());
        assertThat(calls).hasValue(1);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).isEqualTo(
                "P embedding request failed: HTTP 429: slow down (asked to retry after 60000 ms, more than maxBackoff 10000 ms)");
    }

    @Test
    void ioErrorsAreRetriedAndOtherErrorsAreNot() {
        AtomicInteger calls = new AtomicInteger();
        RetryLoop loop = new RetryLoop("P", FAST, null);
        EmbeddingError io = catchThrowableOfType(EmbeddingError.class, () -> loop.run(() -> {
            calls.incrementAndGet();
            return Mono.error(new ConnectException("Connection refused"));
        }, NOTHING).block());
        assertThat(calls).hasValue(3);
        assertThat(io.getMessage()).isEqualTo("P embedding request failed: ConnectException: Connection refused (after 3 attempts)");
        assertThat(io.getCause()).isInstanceOf(IOException.class);
        assertThat(io.status()).isZero();

        calls.set(0);
        EmbeddingError bug = catchThrowableOfType(EmbeddingError.class, () -> loop.run(() -> {
            calls.incrementAndGet();
            return Mono.error(new IllegalArgumentException("bad"));
        }, NOTHING).block());
        assertThat(calls).hasValue(1);
        assertThat(bug.retryable()).isFalse();
        assertThat(loop.run(() -> Mono.just("ok"), NOTHING).block()).isEqualTo("ok");
    }

    @Test
    void retryAfterIsReadInItsThreeForms() {
        long now = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
        assertThat(RetryAfter.parse(Map.of("retry-after", "7")::get, now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(Map.of("retry-after", "0.25")::get, now)).isEqualTo(Duration.ofMillis(250));
        assertThat(RetryAfter.parse(Map.of("retry-after", "Thu, 01 Jan 2026 00:00:05 GMT")::get, now))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(RetryAfter.parse(Map.of("retry-after", "Wed, 31 Dec 2025 23:59:00 GMT")::get, now))
                .as("a date in the past").isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse(Map.of("retry-after-ms", "1500", "retry-after", "9")::get, now))
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(RetryAfter.parse(Map.of("retry-after", "soon")::get, now)).isNull();
        assertThat(RetryAfter.parse(Map.of("retry-after", "-3")::get, now)).isNull();
        assertThat(RetryAfter.parse(Map.<String, String>of()::get, now)).isNull();
    }

    @Test
    void backoffDoublesUpToTheCapAndJitterOnlyShortensIt() {
        RetryPolicy p = RetryPolicy.builder().initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(350))
                .jitter(0.5).build();
        assertThat(p.backoff(1, 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.backoff(2, 0)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.backoff(3, 0)).isEqualTo(Duration.ofMillis(350));
        assertThat(p.backoff(40, 0)).isEqualTo(Duration.ofMillis(350));
        assertThat(p.backoff(2, 0.999)).isEqualTo(Duration.ofMillis(101));
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
        assertThat(RetryPolicy.defaults().toBuilder().maxAttempts(5).build().maxAttempts()).isEqualTo(5);
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(Duration.ofSeconds(20)).build())
                .hasMessageContaining("exceeds maxBackoff");
    }

    @Test
    void redactionRemovesSecretsTextsTheirFragmentsAndMaskedKeys() {
        String key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123";
        String text = "Summarise the quarterly report for ACME Corp, \"confidential\"";
        Redactor r = new Redactor(List.of(key), List.of(text, "hi"));
        assertThat(r.clean("bad key " + key + " for '" + text + "'")).isEqualTo("bad key [redacted] for '[redacted]'");
        assertThat(r.clean("input starts with 'Summarise the quarterly rep...'"))
                .as("a cut-short echo").isEqualTo("input starts with '[redacted]...'");
        assertThat(r.clean("{\"input\":\"Summarise the quarterly report for ACME Corp, \\\"confidential\\\"\"}"))
                .as("a JSON-escaped echo").doesNotContain("quarterly").doesNotContain("confidential");
        assertThat(r.clean("Incorrect API key provided: sk-proj-****************0123.")).isEqualTo(
                "Incorrect API key provided: [redacted]");
        assertThat(r.clean("this is fine")).as("short texts are left alone").isEqualTo("this is fine");
        assertThat(r.clean("x".repeat(900))).hasSize(503);
        assertThat(r.clean(null)).isNull();
    }

    @Test
    void errorBodiesOfEachProviderYieldTheirMessage() {
        assertThat(ErrorBodies.message("{\"error\":{\"message\":\"Incorrect API key\",\"type\":\"x\"}}"))
                .isEqualTo("Incorrect API key");
        assertThat(ErrorBodies.message("{\"error\":\"model 'x' not found\"}")).isEqualTo("model 'x' not found");
        assertThat(ErrorBodies.message("{\"id\":\"1\",\"message\":\"invalid api token\"}")).isEqualTo("invalid api token");
        assertThat(ErrorBodies.message("{\"detail\":\"Provided API key is invalid.\"}")).isEqualTo("Provided API key is invalid.");
        assertThat(ErrorBodies.message("{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"field required\"},{\"msg\":\"too long\"}]}"))
                .isEqualTo("field required; too long");
        assertThat(ErrorBodies.message("<html>502 Bad Gateway</html>\n")).isEqualTo("<html>502 Bad Gateway</html>");
        assertThat(ErrorBodies.message("")).isNull();
    }
}

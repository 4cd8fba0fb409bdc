package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static com.betterdb.semanticcache.spring.boot.SemanticCacheAutoConfigurationTest.P;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad values fail the start, naming the property, the value and the rule: through ApplicationContextRunner (the
 * exception), and through a real SpringApplication (the report a user reads).
 */
class BindingErrorsTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SemanticCacheAutoConfiguration.class))
            .withPropertyValues(P + "store=in-memory")
            .withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8));

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "default-threshold             | -0.1       | defaultThreshold must be within 0..2 (cosine distance), got -0.1",
            "default-threshold             | 2.5        | defaultThreshold must be within 0..2",
            "category-thresholds.faq       | 3          | categoryThresholds[faq] must be within 0..2",
            "uncertainty-band              | -1         | uncertaintyBand must be within 0..2",
            "default-ttl                   | 1500ms     | defaultTtl must be a positive whole number of seconds",
            "default-ttl                   | -5s        | defaultTtl must be a positive whole number of seconds",
            "name                          | ''         | name must be a non-empty string",
            "embedding-cache.ttl           | 0s         | embeddingCache.ttl must be a whole number of seconds >= 1",
            "config-refresh.interval       | 500ms      | configRefresh.interval must be at least 1000 ms",
            "discovery.heartbeat-interval  | 10ms       | discovery.heartbeatInterval must be at least 1000 ms",
            "coalescing.max-in-flight      | 0          | coalescing.maxInFlight must be >= 1",
            "coalescing.max-age            | 0s         | coalescing.maxAge must be positive",
            "telemetry.metrics-prefix      | my-cache   | telemetry.metricsPrefix must match",
            "valkey.search-connections     | 0          | searchConnections must be >= 1",
            "valkey.pipeline-depth         | -1         | pipelineDepth must be >= 1",
            "valkey.url                    | nonsense   | nonsense",
            "embedding.dimensions          | 0          | dimensions must be >= 1",
            "embedding.concurrency         | 0          | concurrency must be >= 1",
            "embedding.retry.max-attempts  | 0          | maxAttempts must be >= 1",
            "embedding.retry.jitter        | 1.5        | jitter must be in [0, 1]",
            "embedding.retry.max-backoff   | 100ms      | initialBackoff PT0.5S exceeds maxBackoff PT0.1S",
            "startup.timeout               | 0s         | must be a positive duration",
            "actuator-timeout              | -1s        | must be a positive duration"})
    void aBadValueNamesThePropertyAndTheRule(String property, String value, String rule) {
        runner.withPropertyValues(P + property + "=" + value).run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining(P.substring(0, P.length() - 1))
                .hasMessageContaining(rule));
    }

    @Test
    void localModelNamesAreChecked() {
        runner.withPropertyValues(P + "embedding.provider=local", P + "embedding.model=gpt-embed")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("unknown local model 'gpt-embed'; known: bge-small-en-v1.5-q"));
    }

    @Test
    void vertexNeedsProjectAndLocation() {
        runner.withPropertyValues(P + "embedding.google.project=p")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("Vertex AI needs both embedding.google.project and"));
    }

    @Test
    void anUnknownProviderIsABindingError() {
        runner.withPropertyValues(P + "embedding.provider=mistral").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("Failed to bind properties under '" + P + "embedding.provider'")
                .rootCause().hasMessageContaining("mistral"));
    }

    // ------------------------------------------------------------------------------------------ what a user reads

    @Test
    void theStartupReportShowsPropertyValueAndReason() {
        String output = StartupReport.of("--" + P + "store=in-memory", "--" + P + "default-threshold=-0.1",
                "--" + P + "config-refresh.interval=10ms");
        assertThat(output).contains("Property: " + P + "default-threshold")
                .contains("Value: \"-0.1\"")
                .contains("Reason: defaultThreshold must be within 0..2 (cosine distance), got -0.1")
                .contains("Property: " + P + "config-refresh.interval")
                .contains("Reason: configRefresh.interval must be at least 1000 ms, got 10 ms");
    }

    @Test
    void theStartupReportListsTheProviders() {
        String output = StartupReport.of("--" + P + "store=in-memory", "--" + P + "embedding.provider=mistral");
        assertThat(output).contains("Property: " + P + "embedding.provider")
                .contains("Value: \"mistral\"")
                .contains("The following values are valid:")
                .contains("OPENAI").contains("OLLAMA").contains("LOCAL").contains("BEDROCK").contains("VOYAGE")
                .contains("COHERE").contains("GOOGLE");
    }
}

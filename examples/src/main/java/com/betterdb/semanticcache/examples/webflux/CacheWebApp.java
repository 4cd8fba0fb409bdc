package com.betterdb.semanticcache.examples.webflux;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.StoreOptions;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * A WebFlux service with the semantic cache in front of an LLM: {@code POST /ask {"prompt": "..."}} answers from the
 * cache when a close enough prompt was answered before, else asks the (simulated) LLM, stores the answer and
 * returns it. {@code GET /stats} shows the cache's counters. Nothing blocks: the cache returns {@code Mono}s that the
 * handlers compose.
 *
 * <p>The {@link SemanticCache} comes from {@code semantic-cache-spring-boot-starter}, configured in
 * {@code application.properties}: the in-memory store and the local model (bge-small-en-v1.5, at its calibrated
 * threshold), initialized before the server accepts requests and closed after it stops.
 *
 * <pre>./mvnw -B -q -Pdemo compile -Ddemo.main=com.betterdb.semanticcache.examples.webflux.CacheWebApp
 * curl -s localhost:8080/ask -H 'content-type: application/json' -d '{"prompt":"What is the capital of France?"}'</pre>
 * On Valkey + valkey-search instead, add
 * {@code -Dexec.args="--betterdb.semantic-cache.store=valkey --betterdb.semantic-cache.valkey.url=$VALKEY_SEARCH_URL"}.
 */
@SpringBootApplication
public class CacheWebApp {

    public record Ask(String prompt) {
    }

    public record Answer(String answer, String source, Double similarity, String confidence) {
    }

    public static void main(String[] args) {
        SpringApplication.run(CacheWebApp.class, args);
    }

    @Bean
    RouterFunction<ServerResponse> routes(SemanticCache cache) {
        return route()
                .POST("/ask", req -> req.bodyToMono(Ask.class)
                        .filter(a -> a.prompt() != null && !a.prompt().isBlank())
                        .flatMap(a -> answer(cache, a.prompt()))
                        .flatMap(answer -> ServerResponse.ok().bodyValue(answer))
                        .switchIfEmpty(ServerResponse.badRequest().bodyValue("{\"error\":\"prompt is required\"}")))
                .GET("/stats", req -> cache.stats().flatMap(s -> ServerResponse.ok().bodyValue(s)))
                .build();
    }

    static Mono<Answer> answer(SemanticCache cache, String prompt) {
        return cache.check(prompt).flatMap(r -> r.hit()
                ? Mono.just(new Answer(r.response(), "cache", r.similarity(), r.confidence().label()))
                : llm(prompt).flatMap(text -> cache.store(prompt, text,
                                StoreOptions.builder().model("gpt-4o-mini").tokens(30, 120).build())
                        .thenReturn(new Answer(text, "llm", r.similarity(), null))));
    }

    /** Stands in for a model call: 150-400 ms, no network. */
    static Mono<String> llm(String prompt) {
        return Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextLong(150, 400)))
                .thenReturn("A generated answer to: " + prompt);
    }
}

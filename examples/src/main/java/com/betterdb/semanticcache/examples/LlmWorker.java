package com.betterdb.semanticcache.examples;

import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Answers llm-requests on llm-replies. Simulated (150-400 ms, canned text, token counts from the text length)
 * unless an OpenAI API key is given: then through the chat completions API with {@link HttpClient}.
 *
 * <p>It keeps the processor's worker contract (docs/kafka-connector.md, "LLM worker contract"): the reply goes to
 * the request's partition number with the request's key and headers, echoes the prompt, and the request's offset is
 * committed only after the reply was acknowledged. A failed call is retried ({@value #MAX_ATTEMPTS} attempts, with
 * backoff); a request that still fails is left to the processor's LLM timeout, which asks again and finally answers
 * the prompt with {@code source=error}.
 */
final class LlmWorker implements AutoCloseable {

    static final String MODEL = "gpt-4o-mini";
    static final int MAX_ATTEMPTS = 3;
    private static final long FIRST_BACKOFF_MS = 500;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String repliesTopic;
    private final String openAiKey;
    private final Function<LlmRequestEvent, CompletableFuture<LlmReplyEvent>> llm;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "llm-sim");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore concurrent = new Semaphore(8);
    private final Thread thread;
    final AtomicInteger calls = new AtomicInteger();
    /** Requests given up after {@value #MAX_ATTEMPTS} failed calls. */
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();

    LlmWorker(String bootstrap, String requestsTopic, String repliesTopic, KafkaProducer<byte[], byte[]> producer,
              String openAiKey) {
        this(bootstrap, "demo-llm-worker", requestsTopic, repliesTopic, producer, openAiKey, null);
    }

    /** {@code llm} answers one request (for tests); null: simulated, or OpenAI when {@code openAiKey} is set. */
    LlmWorker(String bootstrap, String groupId, String requestsTopic, String repliesTopic,
              KafkaProducer<byte[], byte[]> producer, String openAiKey,
              Function<LlmRequestEvent, CompletableFuture<LlmReplyEvent>> llm) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // Commit only what was answered and acknowledged.
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64,
                // A batch waits for its slowest call, retries included.
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        this.producer = producer;
        this.repliesTopic = repliesTopic;
        this.openAiKey = openAiKey;
        this.llm = llm != null ? llm : this::answer;
        consumer.subscribe(List.of(requestsTopic));
        this.thread = new Thread(this::run, "llm-worker");
        this.thread.setDaemon(true);
    }

    boolean usesOpenAi() {
        return openAiKey != null;
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(50));
                if (batch.isEmpty()) {
                    continue;
                }
                List<CompletableFuture<Void>> answered = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    answered.add(handle(r));
                }
                // Every request of the batch is answered and its reply acknowledged (or given up): commit.
                CompletableFuture.allOf(answered.toArray(CompletableFuture[]::new)).join();
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            System.err.println("llm worker stopped: " + e);
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    /** Answers one request (with retries) and sends the reply; completes once the reply is acknowledged. */
    private CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> r) {
        LlmRequestEvent req;
        try {
            req = Events.mapper().readValue(r.value(), LlmRequestEvent.class);
        } catch (java.io.IOException e) {
            return CompletableFuture.completedFuture(null); // not a request: nothing to answer
        }
        return withRetries(req, 1, FIRST_BACKOFF_MS)
                .thenCompose(reply -> send(r, reply))
                .exceptionally(e -> {
                    failures.incrementAndGet(); // the processor's LLM timeout asks again, then answers with an error
                    return null;
                });
    }

    private CompletableFuture<LlmReplyEvent> withRetries(LlmRequestEvent req, int attempt, long backoffMs) {
        calls.incrementAndGet();
        CompletableFuture<LlmReplyEvent> call;
        try {
            call = llm.apply(req);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((reply, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(reply);
            }
            if (attempt >= MAX_ATTEMPTS) {
                return CompletableFuture.<LlmReplyEvent>failedFuture(e);
            }
            retries.incrementAndGet();
            CompletableFuture<LlmReplyEvent> next = new CompletableFuture<>();
            timer.schedule(() -> withRetries(req, attempt + 1, backoffMs * 2).whenComplete((v, ex) -> {
                if (ex != null) {
                    next.completeExceptionally(ex);
                } else {
                    next.complete(v);
                }
            }), backoffMs, TimeUnit.MILLISECONDS);
            return next;
        }).thenCompose(Function.identity());
    }

    /** The reply on the request's partition number, with its key and headers (correlation, request ref). */
    private CompletableFuture<Void> send(ConsumerRecord<byte[], byte[]> request, LlmReplyEvent reply) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(repliesTopic, request.partition(), request.key(), Events.encode(reply),
                request.headers()), (md, e) -> {
            if (e != null) {
                acked.completeExceptionally(e);
            } else {
                acked.complete(null);
            }
        });
        return acked;
    }

    private CompletableFuture<LlmReplyEvent> answer(LlmRequestEvent req) {
        String prompt = req.prompt() == null ? "" : req.prompt();
        if (openAiKey == null) {
            CompletableFuture<LlmReplyEvent> f = new CompletableFuture<>();
            long delay = ThreadLocalRandom.current().nextLong(150, 401);
            String text = "(simulated " + MODEL + " answer) " + prompt;
            timer.schedule(() -> f.complete(new LlmReplyEvent(Events.VERSION, req.id(), prompt, text, MODEL,
                    Math.max(1, prompt.length() / 4) + 20, 180 + prompt.length() % 120, req.category(), null)),
                    delay, TimeUnit.MILLISECONDS);
            return f;
        }
        return openAi(req.id(), prompt, req.category());
    }

    private CompletableFuture<LlmReplyEvent> openAi(String id, String prompt, String category) {
        ObjectNode body = Events.mapper().createObjectNode();
        body.put("model", MODEL);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("max_tokens", 200);
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://api.openai.com/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + openAiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Events.encode(body)))
                .build();
        concurrent.acquireUninterruptibly();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .whenComplete((r, e) -> concurrent.release())
                .thenApply(resp -> {
                    if (resp.statusCode() / 100 != 2) {
                        throw new IllegalStateException("OpenAI HTTP " + resp.statusCode());
                    }
                    try {
                        JsonNode json = Events.mapper().readTree(resp.body());
                        String text = json.path("choices").path(0).path("message").path("content").asText("");
                        JsonNode usage = json.path("usage");
                        return new LlmReplyEvent(Events.VERSION, id, prompt, text, MODEL,
                                usage.path("prompt_tokens").asInt(0), usage.path("completion_tokens").asInt(0),
                                category, null);
                    } catch (java.io.IOException ex) {
                        throw new IllegalStateException("unreadable OpenAI response", ex);
                    }
                });
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(5000);
        timer.shutdownNow();
    }
}

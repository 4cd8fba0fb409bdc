package com.betterdb.semanticcache.examples;

import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers llm-requests on llm-replies. Simulated (150-400 ms, canned text, token counts from the text length)
 * unless an OpenAI API key is given: then through the chat completions API with {@link HttpClient}.
 */
final class LlmWorker implements AutoCloseable {

    static final String MODEL = "gpt-4o-mini";

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String repliesTopic;
    private final String openAiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "llm-sim");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore concurrent = new Semaphore(8);
    private final Thread thread;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();

    LlmWorker(String bootstrap, String requestsTopic, String repliesTopic, KafkaProducer<byte[], byte[]> producer,
              String openAiKey) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "demo-llm-worker",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        this.producer = producer;
        this.repliesTopic = repliesTopic;
        this.openAiKey = openAiKey;
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
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    LlmRequestEvent req = Events.mapper().readValue(r.value(), LlmRequestEvent.class);
                    calls.incrementAndGet();
                    answer(req).whenComplete((reply, e) -> {
                        if (e != null) {
                            failures.incrementAndGet();
                            return; // a real worker would retry or dead-letter; the demo just counts it
                        }
                        producer.send(new ProducerRecord<>(repliesTopic, null, r.key(), Events.encode(reply),
                                r.headers()));
                    });
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            System.err.println("llm worker stopped: " + e);
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
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

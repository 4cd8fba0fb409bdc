package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.kafka.testing.ChildJvm;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults only a separate process can show: the processor runs in a child JVM ({@link ProcessorMain}) and is frozen
 * with {@code SIGSTOP} (every thread, heartbeats included) or killed with {@code kill -9} (no shutdown hook, no
 * close). The broker, the feeder, the LLM worker and the auditing reader stay in the test JVM.
 */
@KafkaTest
class ProcessFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static List<String> args(Harness h, String... extra) {
        List<String> a = new ArrayList<>(List.of("bootstrap=" + h.broker.bootstrapServers(), "group=" + h.group,
                "prompts=" + h.prompts, "responses=" + h.responses, "requests=" + h.llmRequests,
                "replies=" + h.llmReplies, "dlq=" + h.deadLetters, "session=3000"));
        a.addAll(List.of(extra));
        return a;
    }

    private static Predicate<String> assigned(Harness h) {
        return l -> l.contains(": assigned [") && l.contains(h.prompts + "-");
    }

    private static void sendPrompts(Harness h, int from, int to) {
        for (int i = from; i < to; i++) {
            h.send(h.prompts, "key-" + i, PromptEvent.of("id-" + i, Harness.uniquePrompt(i)));
        }
        h.flush();
    }

    private static void awaitDistinct(Harness h, String topic, int n) {
        Set<String> ids = new HashSet<>();
        h.readUntil(topic, l -> {
            ids.clear();
            l.forEach(r -> ids.add(Harness.decode(r, ResponseEvent.class).id()));
            return ids.size() >= n;
        }, WAIT);
        assertThat(ids).as("distinct ids on " + topic).hasSize(n);
    }

    private static void awaitCommitted(Harness h, long n) {
        Harness.await(() -> h.committedPrompts() >= n, WAIT);
        assertThat(h.committedPrompts()).as("committed prompts").isEqualTo(n);
    }

    /**
     * Finding 3: instance A is frozen longer than its session timeout; B takes the partition, processes more and
     * commits; A comes back and gets the same partition. It must resume at the group's committed offset, not at the
     * position it remembered when it lost the partition.
     */
    @Test
    void aFrozenInstanceThatGetsItsPartitionBackResumesAtTheGroupsCommittedOffset(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1);
             ChildJvm a = ChildJvm.start("A", ProcessorMain.class, args(h))) {
            a.awaitLines(assigned(h), 1, WAIT);
            sendPrompts(h, 0, 50);
            awaitDistinct(h, h.llmRequests, 50);
            awaitCommitted(h, 50);

            a.suspend();
            ProcessorHandle b = h.start(h.config()
                    .consumerProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000)
                    .consumerProperty(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300).build(), h.cache());
            sendPrompts(h, 50, 100);
            awaitDistinct(h, h.llmRequests, 100);
            awaitCommitted(h, 100);
            b.stop().block(WAIT);

            int assignedBefore = a.count(assigned(h));
            int outcomesBefore = a.count(l -> l.startsWith("OUTCOME"));
            a.resume();
            a.awaitLines(assigned(h), assignedBefore + 1, WAIT);
            sendPrompts(h, 100, 150);
            awaitDistinct(h, h.llmRequests, 150);
            awaitCommitted(h, 150);

            List<String> reread = a.lines().stream().filter(l -> l.startsWith("OUTCOME")).skip(outcomesBefore)
                    .filter(l -> l.contains(" " + h.prompts + " ")
                            && Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)) < 100)
                    .toList();
            Map<String, Integer> requests = Harness.idCounts(h.readUntil(h.llmRequests, l -> false, Duration.ofMillis(500)));
            int duplicates = requests.values().stream().mapToInt(c -> c - 1).sum();
            System.out.println("FAULT sigstop: prompts=150 reReadBelowCommitted=" + reread.size()
                    + " duplicateLlmRequests=" + duplicates);
            assertThat(reread).as("records A processed again below the offset B committed").isEmpty();
            assertThat(duplicates).as("LLM requests sent twice").isZero();
        }
    }

    /**
     * The processor is killed with {@code kill -9} three times while N prompts flow at a steady rate (with a real LLM
     * worker and a short LLM timeout, so a timer mistake would show as an extra response): none is lost and fewer
     * than 1% are answered twice. Each kill hits an instance that is answering the live stream. With
     * {@code -Dfault.killDuringBacklog=true} the second and third kills hit the restarted instance while it works
     * through the prompts that came while it was down (after a random 20 to 320 outcomes): none is lost, and the
     * duplicates (what was acknowledged and not yet committed at full speed) stay below 10% of N; see
     * docs/kafka-connector.md for why at-least-once cannot do much better there. With {@code -Dfault.exactlyOnce=true}
     * the processor runs in exactly-once mode (a {@code transactional.id} kept across restarts, as a pod name would
     * be) and every reader reads {@code read_committed}: fewer than 1% duplicates in both modes.
     */
    @Test
    void killedThreeTimesMidRunLosesNothingAndDuplicatesStayBelowOnePercent(KafkaBroker broker) throws Exception {
        int n = 3000;
        long llmTimeoutMs = 4000;
        boolean duringBacklog = Boolean.getBoolean("fault.killDuringBacklog");
        boolean exactlyOnce = Boolean.getBoolean("fault.exactlyOnce");
        List<ChildJvm> children = new ArrayList<>();
        try (Harness h = new Harness(broker, 3); Auditor audit = new Auditor(h, exactlyOnce)) {
            h.readCommitted = exactlyOnce; // the worker and every reader below
            h.startLlmWorker();
            List<String> childArgs = args(h, "llmTimeoutMs=" + llmTimeoutMs);
            if (exactlyOnce) {
                childArgs.addAll(List.of("exactlyOnce=true", "txId=processor-" + h.tag));
            }
            children.add(ChildJvm.start("P1", ProcessorMain.class, childArgs));
            children.get(0).awaitLines(assigned(h), 1, WAIT);

            AtomicInteger sent = new AtomicInteger();
            List<Integer> backlogs = new ArrayList<>();
            Thread feeder = new Thread(() -> {
                for (int i = 0; i < n; i += 3) { // a steady stream of ~150 prompts/s, 20 s in all
                    for (int j = i; j < Math.min(n, i + 3); j++) {
                        h.send(h.prompts, "key-" + j, PromptEvent.of("id-" + j,
                                Harness.uniquePrompt(j)));
                    }
                    sent.set(Math.min(n, i + 3));
                    Harness.sleep(20);
                }
                h.flush();
            }, "feeder");
            feeder.start();
            for (int kill = 1; kill <= 3; kill++) {
                // During a backlog: the restarted instance is killed while it works through the prompts that came
                // while it was down; else each kill comes at a quarter of the stream, once the live stream is answered.
                int at = duringBacklog && kill > 1 ? 0 : kill * n / 4;
                while (sent.get() < at) {
                    Harness.sleep(10);
                }
                ChildJvm current = children.get(children.size() - 1);
                java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
                // Backlog: somewhere in the first few hundred records the new instance works through.
                current.awaitLines(l -> l.startsWith("OUTCOME"), 20 + (duringBacklog ? random.nextInt(300) : 0), WAIT);
                if (!duringBacklog) {
                    Harness.await(() -> audit.distinct() >= sent.get() - 20, WAIT);
                    Harness.sleep(random.nextLong(200));
                }
                backlogs.add(sent.get() - audit.distinct());
                current.kill9();
                children.add(ChildJvm.start("P" + (kill + 1), ProcessorMain.class, childArgs));
            }
            feeder.join();

            Harness.await(() -> audit.distinct() >= n, WAIT);
            // Let any wrongly armed LLM timer fire (it would add a source=error response), then count.
            Harness.sleep(llmTimeoutMs + 1500);
            ChildJvm last = children.get(children.size() - 1);
            last.terminate(WAIT); // SIGTERM: a graceful stop in the shutdown hook
            assertThat(last.lastLine("STOPPED")).as("the last instance stopped gracefully").isNotNull();

            List<ConsumerRecord<byte[], byte[]>> responses = h.readUntil(h.responses, l -> false, Duration.ofSeconds(1));
            Map<String, Integer> answered = Harness.idCounts(responses);
            Map<String, Integer> requested = Harness.idCounts(h.readUntil(h.llmRequests, l -> false, Duration.ofMillis(500)));
            int lost = n - answered.size();
            int duplicates = answered.values().stream().mapToInt(c -> c - 1).sum();
            int duplicateRequests = requested.values().stream().mapToInt(c -> c - 1).sum();
            long errors = responses.stream().filter(r -> "error".equals(Harness.header(r, Headers.SOURCE))).count();
            int written = responses.size();
            if (exactlyOnce) {
                written = h.readUntil(h.responses, l -> false, Duration.ofSeconds(1), false).size();
            }
            System.out.println("FAULT kill -9 x3" + (duringBacklog ? " (during backlog)" : "")
                    + (exactlyOnce ? " (exactly-once, read_committed; " + (written - responses.size())
                    + " aborted responses written)" : "") + ": prompts=" + n
                    + " lost=" + lost + " duplicateResponses=" + duplicates + " duplicateLlmRequests=" + duplicateRequests
                    + " errorResponses=" + errors + " unansweredAtKills=" + backlogs
                    + " lastInstance{" + last.lastLine("STATS") + "}");
            assertThat(lost).isZero();
            assertThat(duplicates).isLessThan(duringBacklog && !exactlyOnce ? n / 10 : n / 100);
            assertThat(errors).as("no prompt timed out: every request was answered").isZero();
            assertThat(h.readUntil(h.deadLetters, l -> false, Duration.ofMillis(300))).isEmpty();
            List<String> clientIds = children.stream().map(c -> c.lastLine("CLIENT")).toList();
            assertThat(new HashSet<>(clientIds)).as("distinct default client ids: %s", clientIds).hasSize(children.size());
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    /** Reads the responses topic as it is written, counting the distinct ids answered. */
    private static final class Auditor implements AutoCloseable {
        private final Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;

        Auditor(Harness h, boolean readCommitted) {
            consumer = h.rawConsumer(null, readCommitted);
            List<org.apache.kafka.common.TopicPartition> tps = consumer.partitionsFor(h.responses).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(h.responses, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            thread = new Thread(() -> {
                try {
                    while (true) {
                        consumer.poll(Duration.ofMillis(50))
                                .forEach(r -> ids.add(Harness.decode(r, ResponseEvent.class).id()));
                    }
                } catch (org.apache.kafka.common.errors.WakeupException e) {
                    // closing
                } finally {
                    consumer.close(Duration.ZERO);
                }
            }, "auditor");
            thread.setDaemon(true);
            thread.start();
        }

        int distinct() {
            return ids.size();
        }

        @Override
        public void close() throws InterruptedException {
            consumer.wakeup();
            thread.join(5000);
        }
    }
}

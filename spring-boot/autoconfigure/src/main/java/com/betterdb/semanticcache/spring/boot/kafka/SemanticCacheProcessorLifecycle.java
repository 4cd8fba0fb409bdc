package com.betterdb.semanticcache.spring.boot.kafka;

import com.betterdb.semanticcache.kafka.ProcessorHandle;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessor;
import com.betterdb.semanticcache.spring.boot.SemanticCacheInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.Objects;

/**
 * Starts the Kafka processor with the application context and stops it gracefully (records in flight finished, their
 * offsets committed) before the cache closes: its phase is above {@link SemanticCacheInitializer#PHASE}.
 */
public final class SemanticCacheProcessorLifecycle implements SmartLifecycle {

    public static final int PHASE = SemanticCacheInitializer.PHASE + 4096;
    private static final Logger log = LoggerFactory.getLogger(SemanticCacheProcessorLifecycle.class);

    private final SemanticCacheProcessor processor;
    private volatile ProcessorHandle handle;
    /**
     * Started and not yet stopped, tracked here: the handle reports running only once its poll thread is under way,
     * and Spring stops only what reports running.
     */
    private volatile boolean running;

    public SemanticCacheProcessorLifecycle(SemanticCacheProcessor processor) {
        this.processor = Objects.requireNonNull(processor, "processor");
    }

    @Override
    public void start() {
        handle = processor.start();
        running = true;
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("stop(Runnable)");
    }

    @Override
    public void stop(Runnable callback) {
        ProcessorHandle h = handle;
        if (h == null) {
            callback.run();
            return;
        }
        Duration wait = processor.config().stopTimeout().plusSeconds(5);
        h.stop().timeout(wait).doFinally(s -> running = false).subscribe(null, e -> {
            log.warn("semantic cache Kafka processor did not stop within {} ms: {}", wait.toMillis(), e.toString());
            callback.run();
        }, callback);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The running processor (outcomes, in-flight counts), or {@code null} before the context started. */
    public ProcessorHandle handle() {
        return handle;
    }
}

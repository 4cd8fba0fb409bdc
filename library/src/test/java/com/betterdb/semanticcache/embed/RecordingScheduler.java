package com.betterdb.semanticcache.embed;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler for retry waits that records each requested delay and runs the task at once, so that tests check the
 * waits (a 7 s {@code Retry-After}) without sleeping. Its clock is fixed at {@link #NOW_MILLIS}.
 */
final class RecordingScheduler implements Scheduler {

    static final long NOW_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    final List<Duration> delays = new CopyOnWriteArrayList<>();

    @Override
    public Disposable schedule(Runnable task) {
        return Schedulers.parallel().schedule(task);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        delays.add(Duration.ofNanos(unit.toNanos(delay)));
        return Schedulers.parallel().schedule(task);
    }

    @Override
    public long now(TimeUnit unit) {
        return unit.convert(NOW_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public Worker createWorker() {
        Disposable.Composite tasks = Disposables.composite();
        return new Worker() {
            @Override
            public Disposable schedule(Runnable task) {
                return RecordingScheduler.this.schedule(task);
            }

            @Override
            public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
                return RecordingScheduler.this.schedule(task, delay, unit);
            }

            @Override
            public void dispose() {
                tasks.dispose();
            }

            @Override
            public boolean isDisposed() {
                return tasks.isDisposed();
            }
        };
    }
}

package com.betterdb.semanticcache.embed.langchain4j;

import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.embed.RetryPolicy;
import com.betterdb.semanticcache.embed.support.AttemptFailure;
import com.betterdb.semanticcache.embed.support.Batches;
import com.betterdb.semanticcache.embed.support.ErrorBodies;
import com.betterdb.semanticcache.embed.support.Redactor;
import com.betterdb.semanticcache.embed.support.RetryLoop;
import com.betterdb.semanticcache.embed.support.Vectors;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.embedding.EmbeddingModel;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Any LangChain4j {@link EmbeddingModel} (OpenAI, Azure, Vertex, Ollama, ONNX, ...) as the cache's embedder.
 * LangChain4j's API blocks, so calls run on a scheduler meant for blocking work ({@code boundedElastic} unless
 * given), never on the caller's thread. Needs {@code dev.langchain4j:langchain4j-core} (an optional dependency of
 * this library).
 *
 * <p>A batch is one {@code embedAll} call of the model, which splits it at its own limit (unless
 * {@code maxBatchSize} is set). Timeouts and retries are the model's own; {@link Builder#retryPolicy} adds the
 * library's retry loop on top (none by default, so that the two do not multiply). A failure surfaces as an
 * {@code EmbeddingError} from provider {@code LangChain4j} with the HTTP status and the provider's message when the
 * model reports them ({@code HttpException}), without the embedded texts. The model does not know what a text is
 * embedded for, so the purpose is ignored.
 */
public final class LangChain4jEmbeddings implements EmbedFn, BatchEmbedFn {

    static final String PROVIDER = "LangChain4j";

    private final EmbeddingModel model;
    private final Scheduler scheduler;
    private final int maxBatchSize;
    private final RetryLoop loop;

    private LangChain4jEmbeddings(Builder b) {
        this.model = b.model;
        this.scheduler = b.scheduler;
        this.maxBatchSize = b.maxBatchSize;
        this.loop = new RetryLoop(PROVIDER, b.retryPolicy, null);
    }

    public static LangChain4jEmbeddings of(EmbeddingModel model) {
        return builder(model).build();
    }

    public static LangChain4jEmbeddings of(EmbeddingModel model, Scheduler scheduler) {
        return builder(model).scheduler(scheduler).build();
    }

    public static Builder builder(EmbeddingModel model) {
        return new Builder(model);
    }

    @Override
    public Mono<float[]> embed(String text) {
        return call(List.of(text), () -> List.of(model.embed(text).content().vector())).map(l -> l.get(0));
    }

    /** One {@code embedAll} call of the model per {@code maxBatchSize} texts (one call for the whole list by default). */
    @Override
    public Mono<List<float[]>> embedAll(List<String> texts) {
        return Batches.inChunks(List.copyOf(texts), maxBatchSize, 1, chunk -> call(chunk, () -> {
            List<Embedding> out = model.embedAll(chunk.stream().map(TextSegment::from).toList()).content();
            if (out == null || out.size() != chunk.size()) {
                throw AttemptFailure.malformed(0, "EmbeddingModel returned " + (out == null ? 0 : out.size())
                        + " embeddings for " + chunk.size() + " texts");
            }
            List<float[]> vectors = new ArrayList<>(out.size());
            out.forEach(e -> vectors.add(e.vector()));
            return Vectors.sameLength(vectors, 0);
        }));
    }

    private Mono<List<float[]>> call(List<String> texts, java.util.concurrent.Callable<List<float[]>> work) {
        return loop.run(() -> Mono.fromCallable(work).subscribeOn(scheduler).onErrorMap(LangChain4jEmbeddings::classify),
                new Redactor(List.of(), texts));
    }

    /** The HTTP status and provider message of a LangChain4j failure, when it has them. */
    private static Throwable classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpException h) {
                return AttemptFailure.reply(h.statusCode(), ErrorBodies.message(h.getMessage()), null);
            }
            if (t instanceof AttemptFailure) {
                return t;
            }
        }
        return e instanceof RetriableException
                ? new AttemptFailure(0, e.getMessage(), e.getClass().getSimpleName(), null, true, null)
                : e;
    }

    public static final class Builder {
        private final EmbeddingModel model;
        private Scheduler scheduler = Schedulers.boundedElastic();
        private int maxBatchSize = Integer.MAX_VALUE;
        private RetryPolicy retryPolicy = RetryPolicy.none();

        private Builder(EmbeddingModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** Where the blocking model calls run ({@code boundedElastic} by default). */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Texts per {@code embedAll} call of the model; by default the whole batch (the model splits it itself). */
        public Builder maxBatchSize(int maxBatchSize) {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
            }
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /** Retries on top of the model's own ({@link RetryPolicy#none()} by default). */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        public LangChain4jEmbeddings build() {
            return new LangChain4jEmbeddings(this);
        }
    }
}

package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.RerankOptions.Candidate;
import com.betterdb.semanticcache.Rerankers;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RerankersTest {

    private static int pick(com.betterdb.semanticcache.RerankOptions.RerankFn fn, String q, List<Candidate> c) {
        return fn.rerank(q, c).block();
    }

    @Test
    void promptOverlapWins() { // RR-05, RR-06
        List<Candidate> c = List.of(new Candidate("", 0.05, "what is the weather in paris"),
                new Candidate("", 0.05, "what is the weather in berlin"));
        assertThat(pick(Rerankers.keywordOverlap(), "what is the weather in berlin", c)).isEqualTo(1);
        assertThat(pick(Rerankers.keywordOverlap(null, 0.7), "what is the weather in berlin", c)).isEqualTo(1);
    }

    @Test
    void responseOverlap() { // RR-07
        List<Candidate> c = List.of(new Candidate("Sunny in paris", 0.05, ""), new Candidate("Cloudy in berlin", 0.05, ""));
        assertThat(pick(Rerankers.keywordOverlap(Rerankers.Compare.RESPONSE, 0.7), "weather in berlin", c)).isEqualTo(1);
        assertThat(pick(Rerankers.keywordOverlap(Rerankers.Compare.PROMPT, 0.7), "weather in berlin", c)).isEqualTo(0);
    }

    @Test
    void weightExtremes() { // RR-08, RR-09
        List<Candidate> c1 = List.of(new Candidate("", 0.01, "something else"), new Candidate("", 0.5, "exact query"));
        assertThat(pick(Rerankers.keywordOverlap(Rerankers.Compare.PROMPT, 1.0), "exact query", c1)).isEqualTo(0);
        List<Candidate> c2 = List.of(new Candidate("", 0.01, "something else"), new Candidate("", 0.99, "exact query"));
        assertThat(pick(Rerankers.keywordOverlap(Rerankers.Compare.PROMPT, 0.0), "exact query", c2)).isEqualTo(1);
    }

    @Test
    void emptyQueryFallsBackToDistance() { // RR-10, RR-11
        List<Candidate> c = List.of(new Candidate("", 0.3, "a"), new Candidate("", 0.1, "b"));
        assertThat(pick(Rerankers.keywordOverlap(), "", c)).isEqualTo(1);
        List<Candidate> missing = List.of(new Candidate("", 0.1, null), new Candidate("", 0.1, ""),
                new Candidate("", 0.1, "the full query, text!"));
        assertThat(pick(Rerankers.keywordOverlap(), "The full (query) text", missing)).isEqualTo(2);
        assertThat(pick(Rerankers.keywordOverlap(), "q", List.of())).isEqualTo(0);
    }

    @Test
    void weightOutsideUnitIntervalIsRejected() { // RR-12
        assertThatThrownBy(() -> Rerankers.keywordOverlap(Rerankers.Compare.PROMPT, 1.5))
                .hasMessageStartingWith("cosineWeight must be in [0, 1]");
        assertThatThrownBy(() -> Rerankers.keywordOverlap(Rerankers.Compare.PROMPT, -0.1))
                .hasMessageStartingWith("cosineWeight must be in [0, 1]");
    }
}

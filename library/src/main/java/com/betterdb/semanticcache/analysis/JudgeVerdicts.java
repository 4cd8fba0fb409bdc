package com.betterdb.semanticcache.analysis;

import com.betterdb.semanticcache.internal.Json;
import com.betterdb.semanticcache.internal.JsNumberFormat;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Members of the judge-verdict set {@code {name}:__judge_verdicts}: compact JSON
 * {@code {"score":0.1234,"accepted":true,"category":"faq","threshold":0.14,"_n":0.83}} ({@code _n} a random number so
 * equal verdicts stay distinct members). The TypeScript and Python packages neither write nor read this key.
 */
public final class JudgeVerdicts {

    private JudgeVerdicts() {
    }

    /** The member for one verdict. */
    public static String member(double score, boolean accepted, String category, double threshold) {
        return new StringBuilder(96)
                .append("{\"score\":").append(JsNumberFormat.format(score))
                .append(",\"accepted\":").append(accepted)
                .append(",\"category\":").append(Json.quote(category == null ? "" : category))
                .append(",\"threshold\":").append(JsNumberFormat.format(threshold))
                .append(",\"_n\":").append(JsNumberFormat.format(ThreadLocalRandom.current().nextDouble()))
                .append('}')
                .toString();
    }

    /** Parses a member; empty unless it is an object with a finite numeric {@code score} and a boolean {@code accepted}. */
    public static Optional<JudgeVerdict> parse(String member, double zsetScore) {
        JsonNode n = Json.tryParse(member);
        if (n == null || !n.isObject()) {
            return Optional.empty();
        }
        JsonNode score = n.get("score");
        JsonNode accepted = n.get("accepted");
        if (score == null || !score.isNumber() || !Double.isFinite(score.doubleValue())
                || accepted == null || !accepted.isBoolean()) {
            return Optional.empty();
        }
        JsonNode cat = n.get("category");
        JsonNode thr = n.get("threshold");
        return Optional.of(new JudgeVerdict(score.doubleValue(), accepted.booleanValue(),
                cat != null && cat.isTextual() ? cat.textValue() : "",
                thr != null && thr.isNumber() ? thr.doubleValue() : Double.NaN, zsetScore));
    }
}

package com.betterdb.semanticcache.embed.support;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

/** Reads how long a provider asked the client to wait before retrying. */
public final class RetryAfter {

    private RetryAfter() {
    }

    /**
     * The wait from {@code retry-after-ms} (milliseconds, as OpenAI and Azure send it) or {@code Retry-After}
     * (delay-seconds, or an HTTP date read against {@code nowMillis}); null when neither is present or readable.
     * A date in the past means no wait.
     *
     * @param header a case-insensitive header lookup returning null when absent
     */
    public static Duration parse(Function<String, String> header, long nowMillis) {
        String ms = header.apply("retry-after-ms");
        if (ms != null) {
            try {
                double v = Double.parseDouble(ms.trim());
                if (v >= 0 && Double.isFinite(v)) {
                    return Duration.ofMillis((long) Math.ceil(v));
                }
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        String ra = header.apply("retry-after");
        if (ra == null || ra.isBlank()) {
            return null;
        }
        String v = ra.trim();
        try {
            double seconds = Double.parseDouble(v);
            return seconds >= 0 && Double.isFinite(seconds) ? Duration.ofMillis((long) Math.ceil(seconds * 1000)) : null;
        } catch (NumberFormatException notSeconds) {
            try {
                long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Duration.ofMillis(Math.max(0, at - nowMillis));
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}

package com.betterdb.semanticcache.embed.support;

import com.betterdb.semanticcache.internal.Json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Removes secrets and embedded texts from provider text before it goes into an exception message or a log line.
 * Providers echo input in validation errors (sometimes cut short) and echo masked keys ({@code sk-abc***wxyz}), so
 * besides exact occurrences this removes every run of at least {@value #TEXT_WINDOW} characters copied from a text
 * (and {@value #SECRET_WINDOW} from a secret), and any token containing {@code ***}. Texts shorter than
 * {@value #MIN_TEXT} characters are left alone: they cannot be told from ordinary words.
 */
public final class Redactor {

    public static final String MARK = "[redacted]";
    static final int TEXT_WINDOW = 16;
    static final int SECRET_WINDOW = 8;
    static final int MIN_TEXT = 4;
    static final int MAX_LENGTH = 500;
    private static final Pattern MASKED = Pattern.compile("\\S*\\*{3,}\\S*");

    private final Collection<String> secrets;
    private final Collection<String> texts;

    /** Both collections are read when {@link #clean} runs, so secrets learnt later (a fresh token) still count. */
    public Redactor(Collection<String> secrets, Collection<String> texts) {
        this.secrets = secrets;
        this.texts = texts;
    }

    /** {@code s} without secrets or texts, cut to 500 characters; null stays null. */
    public String clean(String s) {
        if (s == null || s.isEmpty()) {
            return s;
        }
        boolean[] hide = new boolean[s.length()];
        for (String secret : secrets) {
            mark(s, secret, 1, SECRET_WINDOW, hide);
        }
        for (String text : texts) {
            mark(s, text, MIN_TEXT, TEXT_WINDOW, hide);
            String escaped = Json.quote(text == null ? "" : text);
            escaped = escaped.substring(1, escaped.length() - 1);
            if (!escaped.equals(text)) {
                mark(s, escaped, MIN_TEXT, TEXT_WINDOW, hide);
            }
        }
        var m = MASKED.matcher(s);
        while (m.find()) {
            for (int i = m.start(); i < m.end(); i++) {
                hide[i] = true;
            }
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            if (!hide[i]) {
                out.append(s.charAt(i));
            } else if (i == 0 || !hide[i - 1]) {
                out.append(MARK);
            }
        }
        return out.length() > MAX_LENGTH ? out.substring(0, MAX_LENGTH) + "..." : out.toString();
    }

    /** Marks in {@code hide} every occurrence of {@code needle} and every {@code window}-long run copied from it. */
    private static void mark(String s, String needle, int minLength, int window, boolean[] hide) {
        if (needle == null || needle.length() < minLength) {
            return;
        }
        for (int at = s.indexOf(needle); at >= 0; at = s.indexOf(needle, at + 1)) {
            for (int i = at; i < at + needle.length(); i++) {
                hide[i] = true;
            }
        }
        if (needle.length() <= window || s.length() < window) {
            return;
        }
        Set<String> runs = new HashSet<>();
        for (int i = 0; i + window <= needle.length(); i++) {
            runs.add(needle.substring(i, i + window));
        }
        for (int i = 0; i + window <= s.length(); i++) {
            if (runs.contains(s.substring(i, i + window))) {
                for (int j = i; j < i + window; j++) {
                    hide[j] = true;
                }
            }
        }
    }

    /** The values of auth headers as secrets: the whole value and, for {@code Bearer x}, {@code x}. */
    public static List<String> secretsOf(Collection<String> headerValues) {
        List<String> out = new ArrayList<>();
        for (String v : headerValues) {
            if (v == null || v.isBlank()) {
                continue;
            }
            out.add(v);
            int space = v.lastIndexOf(' ');
            if (space >= 0 && space < v.length() - 1) {
                out.add(v.substring(space + 1));
            }
        }
        return out;
    }
}

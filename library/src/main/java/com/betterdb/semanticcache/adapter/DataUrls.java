package com.betterdb.semanticcache.adapter;

/**
 * The media-type rule the reference adapters apply to {@code data:} URLs: for a string starting with {@code data:},
 * the media type is the text between {@code data:} and the first {@code ;} when that {@code ;} comes after the
 * prefix; otherwise the adapter's default media type applies. The whole data URL is handed to the normalizer as
 * base64 data ({@link com.betterdb.semanticcache.prompt.Normalizers#hashBase64} strips the prefix).
 */
public final class DataUrls {

    private static final String PREFIX = "data:";

    private DataUrls() {
    }

    public static boolean isDataUrl(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** The media type of a {@code data:} URL, or {@code fallback} when it names none (or is not a data URL). */
    public static String mediaType(String value, String fallback) {
        if (!isDataUrl(value)) {
            return fallback;
        }
        int semi = value.indexOf(';');
        return semi > PREFIX.length() ? value.substring(PREFIX.length(), semi) : fallback;
    }
}

package com.betterdb.semanticcache.filter;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A pre-filter for lookups and invalidation. Build it with the typed factories ({@link #tag}, {@link #numeric},
 * {@link #and}, {@link #or}, {@link #not}): values are escaped, so user input never becomes query syntax. Every
 * store evaluates typed filters.
 *
 * <p>{@link #raw(String)} passes valkey-search syntax through verbatim. Use it only with trusted input: it is
 * inserted into the query as is. The in-memory store accepts the subset of raw syntax that {@code FilterParser}
 * understands and rejects the rest with a {@code SemanticCacheUsageError}.
 */
public sealed interface Filter {

    /** The valkey-search query text of this filter (without surrounding parentheses). */
    String toQuery();

    /** Matches every entry. Renders as {@code *}. */
    static Filter all() {
        return All.INSTANCE;
    }

    /** Trusted raw valkey-search syntax, inserted verbatim. */
    static Filter raw(String query) {
        return new Raw(query);
    }

    /**
     * {@code @field:{v1|v2|...}}: the field's tag set contains any of the values (escaped). Values are stripped of
     * leading and trailing whitespace, as valkey-search strips the tags it indexes. A value ending in {@code *} is
     * rejected ({@link IllegalArgumentException}): valkey-search reads a trailing {@code *} as a prefix wildcard even
     * when escaped, so such a value cannot be matched exactly (an invalidation would delete every value it prefixes).
     */
    static Filter tag(String field, String... values) {
        return new Tag(field, List.of(values));
    }

    /** {@code @field:[min max]}, inclusive bounds; use infinities for open ends. */
    static Filter numeric(String field, double min, double max) {
        return new Numeric(field, min, true, max, true);
    }

    static Filter numeric(String field, double min, boolean minInclusive, double max, boolean maxInclusive) {
        return new Numeric(field, min, minInclusive, max, maxInclusive);
    }

    static Filter and(Filter... parts) {
        return new And(List.of(parts));
    }

    static Filter or(Filter... parts) {
        return new Or(List.of(parts));
    }

    static Filter not(Filter inner) {
        return new Not(inner);
    }

    /** Convenience: {@code @model:{model}}. */
    static Filter model(String model) {
        return tag("model", model);
    }

    /** Convenience: {@code @category:{category}}. */
    static Filter category(String category) {
        return tag("category", category);
    }

    enum All implements Filter {
        INSTANCE;

        @Override
        public String toQuery() {
            return "*";
        }
    }

    record Raw(String query) implements Filter {
        public Raw {
            Objects.requireNonNull(query, "query");
        }

        @Override
        public String toQuery() {
            return query;
        }
    }

    record Tag(String field, List<String> values) implements Filter {
        public Tag {
            FilterSupport.requireField(field);
            values = values.stream().map(FilterSupport::tagValue).toList();
            if (values.isEmpty()) {
                throw new IllegalArgumentException("tag filter on '" + field + "' needs at least one value");
            }
        }

        @Override
        public String toQuery() {
            StringBuilder sb = new StringBuilder().append('@').append(field).append(":{");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    sb.append('|');
                }
                sb.append(TagEscaper.escape(values.get(i)));
            }
            return sb.append('}').toString();
        }
    }

    record Numeric(String field, double min, boolean minInclusive, double max, boolean maxInclusive)
            implements Filter {
        public Numeric {
            FilterSupport.requireField(field);
            if (Double.isNaN(min) || Double.isNaN(max)) {
                throw new IllegalArgumentException("numeric filter on '" + field + "' has a NaN bound");
            }
        }

        @Override
        public String toQuery() {
            return "@" + field + ":[" + FilterSupport.bound(min, minInclusive) + " "
                    + FilterSupport.bound(max, maxInclusive) + "]";
        }
    }

    record And(List<Filter> parts) implements Filter {
        public And {
            parts = List.copyOf(parts);
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("and() needs at least one filter");
            }
        }

        @Override
        public String toQuery() {
            return FilterSupport.join(parts, " ");
        }
    }

    record Or(List<Filter> parts) implements Filter {
        public Or {
            parts = List.copyOf(parts);
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("or() needs at least one filter");
            }
        }

        @Override
        public String toQuery() {
            return FilterSupport.join(parts, " | ");
        }
    }

    record Not(Filter inner) implements Filter {
        public Not {
            Objects.requireNonNull(inner, "inner");
        }

        @Override
        public String toQuery() {
            return "-" + FilterSupport.group(inner);
        }
    }

    /** Field values of one entry, as stored in its hash, for stores that evaluate filters themselves. */
    interface Fields {
        String get(String field);

        static Fields of(Map<String, String> map) {
            return map::get;
        }
    }
}

/**
 * What every bundled embedding provider shares, written once: the retry loop with backoff and {@code Retry-After},
 * the mapping of a failed request to a typed {@code EmbeddingError}, the removal of secrets and embedded texts from
 * error messages, batch splitting, and the checks on the vectors a provider returns. Implementation detail of the
 * {@code embed.*} packages: public only so that they can share it, with no compatibility promise.
 */
package com.betterdb.semanticcache.embed.support;

package com.betterdb.semanticcache.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The valkey-search test tier: the annotated class (or method) runs against a real Valkey with the valkey-search
 * module (Valkey 9 + valkey-search 1.2.1 or newer) and may declare a {@link ValkeySearchServer} parameter.
 *
 * <p>Where the server comes from, first match wins:
 * <ol>
 *   <li>{@code VALKEY_SEARCH_URL} (e.g. {@code redis://127.0.0.1:6379} after {@code docker compose up -d});</li>
 *   <li>{@code VALKEY_SEARCH_SERVER} naming a launcher that takes {@code valkey-server} arguments and loads the module
 *       itself (the self-contained test server's {@code valkey-search-server} script; {@code .ci/run} sets it when
 *       that script is beside the repository): started once per JVM on a free 127.0.0.1 port, no persistence, like
 *       the Valkey tier's server; a launcher that does not start or has no module fails the tests;</li>
 *   <li>{@code VALKEY_SEARCH_MODULE} naming the module file ({@code libsearch.so}): {@code valkey-server
 *       --loadmodule $VALKEY_SEARCH_MODULE} from {@code PATH}, started the same way;</li>
 *   <li>Testcontainers {@value ValkeySearchExtension#BUNDLE_IMAGE}, where Docker works;</li>
 *   <li>otherwise the tests are <b>skipped</b> with a message naming the variables.</li>
 * </ol>
 * A {@code VALKEY_SEARCH_URL} server without the {@code search} module (or older than 1.2.1) skips the tests, saying so.
 *
 * <p>The server may be shared and hold other data: name each cache with
 * {@link ValkeySearchServer#uniqueCacheName(String)} and remove it afterwards with
 * {@link ValkeySearchServer#dropCache(String)}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("valkey-search")
@ExtendWith(ValkeySearchExtension.class)
public @interface ValkeySearchTest {
}

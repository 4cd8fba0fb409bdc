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
 *   <li>{@code VALKEY_SEARCH_MODULE} naming the module file ({@code libsearch.so}): {@code valkey-server
 *       --loadmodule $VALKEY_SEARCH_MODULE} from {@code PATH}, started once per JVM like the Valkey tier's;</li>
 *   <li>Testcontainers {@value ValkeySearchExtension#BUNDLE_IMAGE}, where Docker works;</li>
 *   <li>otherwise the tests are <b>skipped</b> with a message naming {@code VALKEY_SEARCH_URL} /
 *       {@code VALKEY_SEARCH_MODULE}.</li>
 * </ol>
 * A server without the {@code search} module (or older than 1.2.1) also skips the tests, saying so.
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

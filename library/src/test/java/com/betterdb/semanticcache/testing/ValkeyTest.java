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
 * The Valkey test tier: the annotated class (or method) runs against a real Valkey server and may declare a
 * {@link ValkeyServer} parameter (constructor, {@code @BeforeAll}/{@code @BeforeEach}, test method).
 *
 * <p>Where the server comes from, first match wins:
 * <ol>
 *   <li>{@code VALKEY_URL} (e.g. {@code redis://127.0.0.1:6379}): your server; a bad URL or a refused connection
 *       fails the tests;</li>
 *   <li>{@code valkey-server} or {@code redis-server} on {@code PATH}: started once per JVM on a free 127.0.0.1
 *       port, without persistence, in a temp dir, and stopped when the run ends;</li>
 *   <li>Testcontainers {@code valkey/valkey}, where Docker works;</li>
 *   <li>otherwise the tests are <b>skipped</b> (reported as skipped, with a message naming what to set).</li>
 * </ol>
 * The server may be shared and hold other data: use unique names and clean up (see {@link ValkeyServer}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("valkey")
@ExtendWith(ValkeyExtension.class)
public @interface ValkeyTest {
}

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
 * The valkey-search cluster tier: the annotated class (or method) runs against a real Valkey cluster whose nodes load
 * valkey-search 1.2.1+ in coordinator mode (so {@code FT.CREATE}/{@code FT.DROPINDEX} reach every shard and searches
 * fan out), and may declare a {@link ValkeySearchCluster} parameter.
 *
 * <p>Where the cluster comes from, first match wins:
 * <ol>
 *   <li>{@code VALKEY_SEARCH_CLUSTER_URL} (a seed node, e.g. {@code redis://127.0.0.1:7000}): your cluster;</li>
 *   <li>{@code VALKEY_SEARCH_SERVER} (the launcher of {@link ValkeySearchTest}) and {@code valkey-cli} on
 *       {@code PATH}: three primaries, no replicas, started once per JVM with {@code --cluster-enabled yes} and
 *       {@code VALKEY_SEARCH_MODULE_ARGS=--use-coordinator} on free 127.0.0.1 ports (each port {@code p} chosen so
 *       that {@code p + 20294}, where the coordinator listens on every interface, is free too), joined with
 *       {@code valkey-cli --cluster create}, stopped when the run ends;</li>
 *   <li>otherwise the tests are <b>skipped</b> with a message naming the variables.</li>
 * </ol>
 * A cluster that cannot be formed, or whose primaries lack the module or its coordinator, <b>fails</b> the tests.
 *
 * <p>The cluster may be shared: use unique cache names and clean up ({@link ValkeySearchCluster#dropCache(String)}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("valkey-search-cluster")
@ExtendWith(ValkeySearchClusterExtension.class)
public @interface ValkeySearchClusterTest {
}

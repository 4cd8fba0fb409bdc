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
 * The Valkey Cluster test tier: the annotated class (or method) runs against a real Valkey cluster (cluster mode, at
 * least one primary; no search module) and may declare a {@link ValkeyCluster} parameter.
 *
 * <p>Where the cluster comes from, first match wins:
 * <ol>
 *   <li>{@code VALKEY_CLUSTER_URL} (a seed node, e.g. {@code redis://127.0.0.1:7000}): your cluster; a bad URL, a
 *       refused connection or a cluster whose state is not {@code ok} fails the tests;</li>
 *   <li>{@code valkey-server} (or {@code redis-server}) on {@code PATH}: three primaries (no replicas) started once
 *       per JVM on free 127.0.0.1 ports with {@code --cluster-enabled yes}, joined with
 *       {@code valkey-cli --cluster create … --cluster-replicas 0 --cluster-yes} and stopped when the run ends; if the
 *       cluster cannot be formed (no {@code valkey-cli}, a node that does not start, a state that never becomes
 *       {@code ok}) the tests <b>fail</b> with the reason;</li>
 *   <li>otherwise the tests are <b>skipped</b> (reported as skipped, with a message naming what to set).</li>
 * </ol>
 * The cluster may be shared: use unique names and clean up (see {@link ValkeyCluster}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("valkey-cluster")
@ExtendWith(ValkeyClusterExtension.class)
public @interface ValkeyClusterTest {
}

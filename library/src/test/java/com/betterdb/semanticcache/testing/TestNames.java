package com.betterdb.semanticcache.testing;

import java.util.concurrent.ThreadLocalRandom;

/** Unique names for things tests create on shared servers (caches, keys, topics, consumer groups). */
public final class TestNames {

  private TestNames() {
  }

  /**
   * {@code prefix_<12 random hex digits>}, e.g. {@code uniqueCacheName("t")} = {@code t_3fa9c01b22de}. Only
   * letters, digits and {@code _}, so it is safe in key names, index names, tag values and topic names.
   */
  public static String unique(String prefix) {
    return unique(prefix, '_');
  }

  /** {@code prefix<separator><12 random hex digits>}. */
  public static String unique(String prefix, char separator) {
    if (prefix == null || prefix.isEmpty() || !prefix.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException("prefix must be letters, digits or _: " + prefix);
    }
    long r = ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL;
    return prefix + separator + String.format("%012x", r);
  }
}

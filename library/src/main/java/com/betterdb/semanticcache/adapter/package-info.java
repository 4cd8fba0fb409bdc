/**
 * Building blocks shared by the LLM client adapters (the {@code semantic-cache-*} adapter modules): the lookup
 * parameters taken from a request, and the reference packages' request-reading rules that are the same for every
 * provider. The adapters themselves live in their own modules, so this library depends on no LLM SDK.
 */
package com.betterdb.semanticcache.adapter;

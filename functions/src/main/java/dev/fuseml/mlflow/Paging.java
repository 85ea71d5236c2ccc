package dev.fuseml.mlflow;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * MLflow's paging: {@code max_results} items from the offset a {@code page_token} names; the token of the next page
 * is opaque to clients (here the offset, base64).
 */
record Paging<T>(List<T> items, String nextPageToken) {
    static final long MAX_RESULTS = 50_000;

    static <T> Paging<T> of(List<T> all, Long maxResults, String pageToken, long defaultMax) {
        long max = maxResults == null || maxResults == 0 ? defaultMax : maxResults;
        if (max < 1 || max > MAX_RESULTS) {
            throw MlflowError.invalid("Invalid value " + max + " for parameter 'max_results' supplied. It must be at "
                    + "most " + MAX_RESULTS + ", and at least 1");
        }
        int offset = 0;
        if (pageToken != null && !pageToken.isEmpty()) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(pageToken),
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw MlflowError.invalid("Invalid page token '" + pageToken + "': pass the next_page_token of the "
                        + "previous answer");
            }
            if (offset < 0) {
                throw MlflowError.invalid("Invalid page token '" + pageToken + "'");
            }
        }
        int from = Math.min(offset, all.size());
        int to = (int) Math.min(all.size(), from + max);
        String next = to < all.size() ? Base64.getUrlEncoder().withoutPadding().encodeToString(Integer.toString(to)
                .getBytes(StandardCharsets.UTF_8)) : null;
        return new Paging<>(all.subList(from, to), next);
    }
}

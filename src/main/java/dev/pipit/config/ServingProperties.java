package dev.pipit.config;

import dev.pipit.model.compile.CompileMode;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The model the service serves and how it encodes ({@code pipit.serving.*}).
 *
 * @param model artifact directory of the model to serve; none: search and index answer 503
 * @param workers encoder workers (one network instance each); 1 keeps all cores for one forward
 *     pass
 * @param maxBatch most images per forward pass
 * @param maxWaitMillis longest a request waits for its batch to fill
 * @param queueCapacity requests that may wait; more are answered 429
 * @param maxK largest k of a search
 * @param maxItems most items per index request
 * @param maxImageBytes largest upload decoded
 * @param maxImagePixels largest image (width × height) decoded
 * @param groupCommitMillis index log group-commit window; 0 fsyncs every write
 * @param maxCoalescedSearches most concurrent searches the index answers in one pass over its
 *     codes; 1 each alone
 * @param requestTimeoutMillis longest a request waits for its encodings; past it the answer is 503
 * @param compile {@code auto}: pipit's networks are compiled to a TorchScript/oneDNN module on the
 *     CPU, with the eager blocks (and the reason logged) where that fails or does not apply; {@code
 *     off}: eager
 * @param maxJpegScans most scans of a JPEG (progressive files from common encoders have about 10;
 *     thousands of near-empty scans are a CPU bomb)
 * @param maxDecodeWork most coefficients one JPEG decode may produce (pixels × components × scans)
 * @param decodeThreads images decoded at once, on a pool of their own; 0 = one per core
 * @param decodeQueueCapacity images that may wait for a decode thread; more are answered 429
 * @param maxJsonBytes largest JSON request body; larger is answered 413
 * @param maxJsonDepth deepest nesting of a JSON request body
 * @param maxJsonStringLength longest string (value or name) in a JSON request body
 * @param rescore image searches order equal Hamming distances by the asymmetric score of the
 *     query's real-valued output against the gallery codes (a request's {@code rescore=false} asks
 *     for the exact Hamming order)
 * @param rescoreWindow nearest candidates a rescored top-k search orders (at least k)
 */
@Validated
@ConfigurationProperties("pipit.serving")
public record ServingProperties(
    Path model,
    @Min(1) int workers,
    @Min(1) int maxBatch,
    @Min(0) int maxWaitMillis,
    @Min(1) int queueCapacity,
    @Min(1) int maxK,
    @Min(1) int maxItems,
    @Min(1) long maxImageBytes,
    @Min(1) long maxImagePixels,
    @Min(0) int groupCommitMillis,
    @Min(1) @Max(1024) int maxCoalescedSearches,
    @Min(1) long requestTimeoutMillis,
    @NotNull CompileMode compile,
    @Min(1) int maxJpegScans,
    @Min(1) long maxDecodeWork,
    @Min(0) int decodeThreads,
    @Min(1) int decodeQueueCapacity,
    @Min(1) long maxJsonBytes,
    @Min(1) int maxJsonDepth,
    @Min(1) int maxJsonStringLength,
    boolean rescore,
    @Min(1) @Max(100_000) int rescoreWindow) {}

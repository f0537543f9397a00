package org.rightsize.flink.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/** The few REST calls the tests make, as documented in docs/metrics.md. */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    FlinkRest(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(10))
                        .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Vertex name → vertex id of a job. */
    Map<String, String> vertices(String jobId) throws IOException, InterruptedException {
        Map<String, String> byName = new HashMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            byName.put(vertex.path("name").asText(), vertex.path("id").asText());
        }
        return byName;
    }

    /**
     * {@code GET /jobs/:jid/vertices/:vid/subtasks/metrics?get=…&agg=max}: metric id → max over
     * subtasks; ids the cluster does not have are absent.
     */
    Map<String, Double> maxOverSubtasks(String jobId, String vertexId, String... ids)
            throws IOException, InterruptedException {
        String get = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
        JsonNode answer =
                get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics?get=" + get
                        + "&agg=max");
        Map<String, Double> values = new HashMap<>();
        for (JsonNode metric : answer) {
            values.put(metric.path("id").asText(), metric.path("max").asDouble());
        }
        return values;
    }

    /** {@code GET /jobs/:jid/vertices/:vid/metrics?get=…}: id → value (a string in JSON). */
    Map<String, String> vertexMetrics(String jobId, String vertexId, String... ids)
            throws IOException, InterruptedException {
        String get = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
        Map<String, String> values = new HashMap<>();
        for (JsonNode metric : get("/jobs/" + jobId + "/vertices/" + vertexId + "/metrics?get=" + get)) {
            values.put(metric.path("id").asText(), metric.path("value").asText());
        }
        return values;
    }

    /** {@code GET /jobs/:jid/vertices/:vid/subtasks/metrics}: every metric id the vertex has. */
    java.util.List<String> metricIds(String jobId, String vertexId)
            throws IOException, InterruptedException {
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (JsonNode metric : get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics")) {
            ids.add(metric.path("id").asText());
        }
        return ids;
    }
}

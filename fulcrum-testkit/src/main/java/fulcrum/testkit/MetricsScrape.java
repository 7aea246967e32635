package fulcrum.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daemon's {@code /metrics} and {@code /health} over HTTP, for tests: one scrape parsed into its
 * samples (name, labels, value), looked up by name and a subset of labels.
 */
public final class MetricsScrape {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One line of the text format. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A {@code /health} answer: the HTTP status and the JSON body. */
    public record HealthAnswer(int status, String body) {
    }

    private final List<Sample> samples;
    private final String text;

    private MetricsScrape(String text) {
        this.text = text;
        this.samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
    }

    /** GET {@code baseUrl/metrics}; fails unless it answers 200. */
    public static MetricsScrape of(String baseUrl) throws IOException, InterruptedException {
        HttpResponse<String> r = get(baseUrl + "/metrics");
        if (r.statusCode() != 200) {
            throw new IOException("GET " + baseUrl + "/metrics answered " + r.statusCode());
        }
        return new MetricsScrape(r.body());
    }

    /** GET {@code baseUrl/health}. */
    public static HealthAnswer health(String baseUrl) throws IOException, InterruptedException {
        HttpResponse<String> r = get(baseUrl + "/health");
        return new HealthAnswer(r.statusCode(), r.body());
    }

    /**
     * The value of the one sample named {@code name} whose labels include {@code labels} (name,
     * value pairs); 0 when there is none (a counter not yet registered has counted nothing).
     */
    public double value(String name, String... labels) {
        List<Sample> found = find(name, labels);
        if (found.size() > 1) {
            throw new IllegalArgumentException(found.size() + " samples of " + name + " match " + List.of(labels) + ": " + found);
        }
        return found.isEmpty() ? 0 : found.get(0).value();
    }

    /** Whether a sample of that name and labels exists. */
    public boolean has(String name, String... labels) {
        return !find(name, labels).isEmpty();
    }

    public List<Sample> find(String name, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        List<Sample> found = new ArrayList<>();
        for (Sample s : samples) {
            boolean match = s.name().equals(name);
            for (int i = 0; match && i < labels.length; i += 2) {
                match = labels[i + 1].equals(s.labels().get(labels[i]));
            }
            if (match) {
                found.add(s);
            }
        }
        return found;
    }

    public String text() {
        return text;
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

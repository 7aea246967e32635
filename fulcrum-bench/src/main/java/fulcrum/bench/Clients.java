package fulcrum.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A load's clients, opened together and closed together. */
final class Clients implements AutoCloseable {
    private final List<Endpoint> endpoints;

    private Clients(List<Endpoint> endpoints) {
        this.endpoints = List.copyOf(endpoints);
    }

    static Clients open(Endpoint.Factory factory, int count) throws IOException {
        List<Endpoint> opened = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                opened.add(factory.open(i));
            }
        } catch (IOException | RuntimeException e) {
            new Clients(opened).close();
            throw e;
        }
        return new Clients(opened);
    }

    List<Endpoint> list() {
        return endpoints;
    }

    @Override
    public void close() {
        for (Endpoint e : endpoints) {
            try {
                e.close();
            } catch (IOException | RuntimeException ignored) {
                // closing what the bench no longer needs; its broker goes with the cluster
            }
        }
    }
}

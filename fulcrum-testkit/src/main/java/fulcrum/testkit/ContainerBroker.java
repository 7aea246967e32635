package fulcrum.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * RabbitMQ in a container (Testcontainers), for machines with a Docker engine and no RabbitMQ
 * installation. Only {@link TestBroker} touches this class, and only after {@link #classesPresent()}:
 * Testcontainers is an optional dependency of the testkit, absent from the jars that bundle it.
 */
final class ContainerBroker {
    /** The image compose.yaml runs, so tests and deployment meet the same broker version. */
    static final String IMAGE = "rabbitmq:3.10-management";

    private final RabbitMQContainer container;

    private ContainerBroker(RabbitMQContainer container) {
        this.container = container;
    }

    static boolean classesPresent() {
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, ContainerBroker.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Whether a Docker engine answers. Asking Testcontainers costs a few seconds of probing and
     * warnings when nothing is configured, so a machine without a socket, DOCKER_HOST or a
     * Testcontainers configuration is answered "no" without asking.
     */
    static boolean dockerReachable() {
        boolean configured = System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
        return configured && DockerClientFactory.instance().isDockerAvailable();
    }

    static ContainerBroker start() {
        RabbitMQContainer container = new RabbitMQContainer(DockerImageName.parse(IMAGE));
        container.start();
        return new ContainerBroker(container);
    }

    String host() {
        return container.getHost();
    }

    int amqpPort() {
        return container.getAmqpPort();
    }

    int managementPort() {
        return container.getHttpPort();
    }

    String userInfo() {
        return container.getAdminUsername() + ":" + container.getAdminPassword();
    }

    void stop() {
        container.stop();
    }
}

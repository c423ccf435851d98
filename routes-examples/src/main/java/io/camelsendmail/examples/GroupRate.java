package io.camelsendmail.examples;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rate for the consumer group as a whole ({@code kafka.group-rate-limit}, {@code 30/min} as the endpoint's
 * {@code rateLimit} says it): each instance begins its mails evenly spaced at its share of it, the share being the
 * partitions the group assigned it out of all the group's. The group's assignment is the only coordination: each
 * instance reads it from the broker every {@value #REFRESH_MILLIS} ms, so a rebalance (an instance gone, one more)
 * moves the shares within that time.
 */
final class GroupRate extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(GroupRate.class);
    static final long REFRESH_MILLIS = 1000;

    private final CamelContext context;
    private final String group;
    private final String clientId;
    private final double perSecond;
    private final LongSupplier clock;
    private Admin admin;
    private volatile double share;
    private long refreshedAt;
    private long next;

    /**
     * @param group     the consumer group
     * @param clientId  this instance's Kafka client id, as the group's members are told apart
     * @param perSecond the group's rate
     */
    GroupRate(CamelContext context, String group, String clientId, double perSecond) {
        this(context, group, clientId, perSecond, System::nanoTime);
    }

    GroupRate(CamelContext context, String group, String clientId, double perSecond, LongSupplier clock) {
        this.context = context;
        this.group = group;
        this.clientId = clientId;
        this.perSecond = perSecond;
        this.clock = clock;
        this.next = clock.getAsLong();
        this.refreshedAt = next - TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS);
    }

    @Override
    protected void doStart() {
        KafkaComponent kafka = context.getComponent("kafka", KafkaComponent.class);
        Properties properties = kafka.getConfiguration().createConsumerProperties();
        Properties adminProperties = new Properties();
        // the connection settings only (brokers, SASL, TLS): the admin client refuses a consumer's other settings
        properties.forEach((key, value) -> {
            String name = key.toString();
            if (name.startsWith("security.") || name.startsWith("sasl.") || name.startsWith("ssl.")) {
                adminProperties.put(name, value);
            }
        });
        adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getConfiguration().getBrokers());
        admin = Admin.create(adminProperties);
    }

    @Override
    protected void doStop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    /** Waits for this instance's next slot, and takes it. */
    void await() throws InterruptedException {
        while (true) {
            long wait = reserve();
            if (wait < 0) {
                // no share known yet (the assignment is being read): nothing may begin until it is
                TimeUnit.NANOSECONDS.sleep(-wait);
                continue;
            }
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            return;
        }
    }

    /**
     * @return nanoseconds until this instance's next mail may begin (the slot is taken); negative where no share is
     *         known: no slot was taken, ask again after that long
     */
    synchronized long reserve() {
        long now = clock.getAsLong();
        if (now - refreshedAt >= TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS)) {
            refreshedAt = now;
            refresh();
        }
        if (share <= 0) {
            return -TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS / 4);
        }
        double mine = perSecond * share;
        long at = Math.max(now, next);
        next = at + (long) (TimeUnit.SECONDS.toNanos(1) / mine);
        return at - now;
    }

    /** Reads the group's assignment: this instance's partitions out of all. */
    private void refresh() {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                    .get(5, TimeUnit.SECONDS).get(group);
            share(description.members());
        } catch (Exception e) {
            // the last share holds until the broker answers again
            LOG.debug("Could not read the assignment of group {}: {}", group, e.toString());
        }
    }

    void share(java.util.Collection<MemberDescription> members) {
        int all = 0;
        int mine = 0;
        for (MemberDescription member : members) {
            int partitions = member.assignment().topicPartitions().size();
            all += partitions;
            if (clientId.equals(member.clientId())) {
                mine += partitions;
            }
        }
        double now = all == 0 ? 0 : (double) mine / all;
        if (now != share) {
            LOG.info("Group rate: this instance has {} of the group's {} partitions, {} mails a second",
                    mine, all, String.format(java.util.Locale.ROOT, "%.3f", perSecond * now));
        }
        share = now;
    }

    /** @return the last share read, for the tests */
    double share() {
        return share;
    }

    /** For the tests: a share without a broker. */
    void share(double share) {
        this.share = share;
        this.refreshedAt = clock.getAsLong() + TimeUnit.DAYS.toNanos(1);
    }
}

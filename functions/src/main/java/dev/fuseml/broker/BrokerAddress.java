package dev.fuseml.broker;

import java.net.URI;

/** Where a function sends events for an org: the embedded broker's ingress, or K_SINK on a cluster. */
public interface BrokerAddress {
    URI ingress(String org);
}

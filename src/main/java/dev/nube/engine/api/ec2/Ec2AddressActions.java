package dev.nube.engine.api.ec2;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.network.addresses.ElasticIp;
import dev.nube.engine.compute.network.addresses.ElasticIpService;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * EC2's Elastic IP actions: AllocateAddress, DescribeAddresses, AssociateAddress, DisassociateAddress and
 * ReleaseAddress. Every address is of the {@code vpc} domain; one may be named by its allocation id or its public
 * address. Thread-safe: every request works through the engine's thread-safe services.
 */
final class Ec2AddressActions {
    private static final Set<String> TAGGABLE = Set.of("elastic-ip");

    private final Engine engine;
    private final Ec2Items items;

    Ec2AddressActions(Engine engine, Ec2Items items) {
        this.engine = engine;
        this.items = items;
    }

    void register(Ec2Api api) {
        api.put("AllocateAddress", this::allocate);
        api.put("DescribeAddresses", this::describe);
        api.put("AssociateAddress", this::associate);
        api.put("DisassociateAddress", this::disassociate);
        api.put("ReleaseAddress", this::release);
    }

    private ElasticIpService addresses() {
        return engine.elasticIps();
    }

    private void allocate(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String domain = call.string("Domain");
        if (domain != null && !domain.equals("vpc")) {
            throw EngineException.invalid("Nube's Elastic IPs are of the vpc domain, not '" + domain + "'.");
        }
        if (call.string("Address") != null) {
            throw EngineException.invalid("Nube chooses the address from its pool; Address cannot be given.");
        }
        Map<String, String> tags = Ec2Items.tagSpecification(call, "elastic-ip", TAGGABLE);
        if (addresses().list(region).items().size() >= addresses().quota()) {
            throw new EngineException("AddressLimitExceeded", "The maximum number of addresses has been reached.");
        }
        call.checkDryRun();
        ElasticIp eip = addresses().allocate(region);
        items.applyTags(region, eip.allocationId(), tags);
        xml.text("publicIp", eip.publicIp()).text("allocationId", eip.allocationId()).text("domain", "vpc")
                .text("networkBorderGroup", region);
    }

    /** The address of {@code AllocationId}, else of {@code PublicIp}. */
    private ElasticIp named(Ec2Call call) {
        String region = call.region();
        String allocationId = call.string("AllocationId");
        String publicIp = call.string("PublicIp");
        if (allocationId != null && !allocationId.isEmpty()) {
            return addresses().get(region, allocationId);
        }
        if (publicIp != null && !publicIp.isEmpty()) {
            return byPublicIp(region, publicIp);
        }
        throw new EngineException("MissingParameter", "The request must contain the parameter AllocationId or"
                + " PublicIp");
    }

    private ElasticIp byPublicIp(String region, String publicIp) {
        return addresses().list(region).items().stream().filter(e -> e.publicIp().equals(publicIp)).findFirst()
                .orElseThrow(() -> new EngineException("InvalidAddress.NotFound", "Address '" + publicIp
                        + "' not found."));
    }

    private void describe(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        List<String> ids = call.list("AllocationId");
        List<String> ips = call.list("PublicIp");
        List<ElasticIp> found = new java.util.ArrayList<>();
        ids.forEach(id -> found.add(addresses().get(region, id)));
        ips.forEach(ip -> found.add(byPublicIp(region, ip)));
        List<ElasticIp> all = ids.isEmpty() && ips.isEmpty() ? addresses().list(region).items() : found;
        Predicate<ElasticIp> matches = new Ec2Filters<ElasticIp>()
                .on("allocation-id", ElasticIp::allocationId).on("public-ip", ElasticIp::publicIp)
                .on("instance-id", ElasticIp::instanceId).on("association-id", ElasticIp::associationId)
                .on("domain", e -> "vpc").on("network-border-group", e -> region)
                .tags(e -> items.tagsOf(region, e.allocationId())).matcher(call.filters());
        call.checkDryRun();
        xml.open("addressesSet");
        for (ElasticIp e : all.stream().distinct().filter(matches).toList()) {
            xml.open("item").text("publicIp", e.publicIp()).text("allocationId", e.allocationId())
                    .text("domain", "vpc").text("instanceId", e.instanceId()).text("associationId", e.associationId())
                    .text("networkBorderGroup", region);
            if (e.instanceId() != null) {
                try {
                    xml.text("privateIpAddress", engine.instances().get(region, e.instanceId()).privateIp());
                } catch (EngineException gone) {
                    // the instance went meanwhile: no private address to show
                }
            }
            Ec2Items.tagSet(xml, items.tagsOf(region, e.allocationId()));
            xml.close();
        }
        xml.close();
    }

    private void associate(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        ElasticIp eip = named(call);
        String instanceId = call.string("InstanceId");
        if (instanceId == null || instanceId.isEmpty()) {
            throw new EngineException("MissingParameter", "The request must contain the parameter InstanceId (Nube"
                    + " associates addresses with instances).");
        }
        engine.instances().get(region, instanceId);
        if (eip.isAssociated() && !eip.instanceId().equals(instanceId) && !call.bool("AllowReassociation", true)) {
            throw new EngineException("Resource.AlreadyAssociated", "Address " + eip.publicIp() + " is already"
                    + " associated with " + eip.instanceId() + ".");
        }
        call.checkDryRun();
        ElasticIp after = addresses().associate(region, eip.allocationId(), instanceId);
        xml.text("return", true).text("associationId", after.associationId());
    }

    private void disassociate(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String associationId = call.string("AssociationId");
        String publicIp = call.string("PublicIp");
        String target;
        if (associationId != null && !associationId.isEmpty()) {
            target = associationId;
            if (addresses().list(region).items().stream().noneMatch(e -> associationId.equals(e.associationId()))) {
                throw new EngineException("InvalidAssociationID.NotFound", "The association ID '" + associationId
                        + "' does not exist");
            }
        } else if (publicIp != null && !publicIp.isEmpty()) {
            target = byPublicIp(region, publicIp).allocationId();
        } else {
            throw new EngineException("MissingParameter", "The request must contain the parameter AssociationId");
        }
        call.checkDryRun();
        addresses().disassociate(region, target);
        xml.text("return", true);
    }

    private void release(Ec2Call call, XmlWriter xml) {
        ElasticIp eip = named(call);
        if (eip.isAssociated()) {
            throw new EngineException("InvalidIPAddress.InUse", "Address " + eip.publicIp() + " is in use.");
        }
        call.checkDryRun();
        addresses().release(call.region(), eip.allocationId());
        xml.text("return", true);
    }
}

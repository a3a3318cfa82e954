package dev.nube.engine.api.ec2;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.region.Region;
import java.util.List;

/**
 * DescribeRegions and DescribeAvailabilityZones: each Nube region is an EC2 region with one availability zone,
 * {@code REGIONa} ({@link Ec2Items#zoneOf}). Stateless; thread-safe.
 */
final class Ec2RegionActions {
    private final Engine engine;

    Ec2RegionActions(Engine engine) {
        this.engine = engine;
    }

    void register(Ec2Api api) {
        api.put("DescribeRegions", this::describeRegions);
        api.put("DescribeAvailabilityZones", this::describeZones);
    }

    private void describeRegions(Ec2Call call, XmlWriter xml) {
        List<String> names = call.list("RegionName");
        Ec2Filters<Region> filters = new Ec2Filters<Region>()
                .on("region-name", Region::name)
                .on("endpoint", r -> endpointOf(r.name()))
                .on("opt-in-status", r -> "opt-in-not-required");
        var matches = filters.matcher(call.filters());
        List<Region> regions = engine.regions().list();
        for (String name : names) {
            if (regions.stream().noneMatch(r -> r.name().equals(name))) {
                throw EngineException.invalid("Invalid region: " + name);
            }
        }
        call.checkDryRun();
        xml.open("regionInfo");
        for (Region region : regions) {
            if ((names.isEmpty() || names.contains(region.name())) && matches.test(region)) {
                xml.open("item").text("regionName", region.name()).text("regionEndpoint", endpointOf(region.name()))
                        .text("optInStatus", "opt-in-not-required").close();
            }
        }
        xml.close();
    }

    private void describeZones(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String zone = Ec2Items.zoneOf(region);
        String zoneId = region + "-az1";
        List<String> names = call.list("ZoneName");
        List<String> ids = call.list("ZoneId");
        for (String name : names) {
            if (!name.equals(zone)) {
                throw EngineException.invalid("The zone '" + name + "' does not exist in region " + region
                        + "; its zone is " + zone + ".");
            }
        }
        for (String id : ids) {
            if (!id.equals(zoneId)) {
                throw EngineException.invalid("The zone id '" + id + "' does not exist in region " + region + ".");
            }
        }
        Ec2Filters<String> filters = new Ec2Filters<String>()
                .on("zone-name", z -> zone).on("zone-id", z -> zoneId).on("region-name", z -> region)
                .on("state", z -> "available").on("zone-type", z -> "availability-zone")
                .on("group-name", z -> region).on("opt-in-status", z -> "opt-in-not-required");
        boolean matches = filters.matcher(call.filters()).test(zone);
        call.checkDryRun();
        xml.open("availabilityZoneInfo");
        if (matches) {
            xml.open("item").text("zoneName", zone).text("zoneId", zoneId).text("zoneState", "available")
                    .text("optInStatus", "opt-in-not-required").empty("messageSet").text("regionName", region)
                    .text("groupName", region).text("networkBorderGroup", region)
                    .text("zoneType", "availability-zone").close();
        }
        xml.close();
    }

    private static String endpointOf(String region) {
        return "ec2." + region + ".nube.local";
    }
}

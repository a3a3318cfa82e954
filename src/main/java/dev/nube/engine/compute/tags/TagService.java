package dev.nube.engine.compute.tags;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * EC2's tags (CreateTags, DeleteTags, DescribeTags) on instances, volumes, snapshots, images, security groups, key
 * pairs and Elastic IPs of a region. The {@value #NAME} tag of an instance or a volume is that resource's name, so a
 * rename shows as a tag and a {@code Name} tag as a rename. EC2's limits hold: {@value #MAX_TAGS} tags a resource,
 * keys of 1 to {@value #MAX_KEY_LENGTH} characters that do not start with {@code aws:}, values of at most
 * {@value #MAX_VALUE_LENGTH}. Refusals ({@code InvalidID}, {@code InvalidInstanceID.NotFound} and the other kinds'
 * NotFound codes, {@code TagLimitExceeded}, {@code InvalidParameterValue}) change nothing. A deleted resource's tags
 * are never listed. Changes are published as an update of the resource. Thread-safe.
 */
public interface TagService {
    String NAME = "Name";
    int MAX_TAGS = 50;
    int MAX_KEY_LENGTH = 128;
    int MAX_VALUE_LENGTH = 256;

    /** The resource's tags by key (its name as {@code Name} for an instance or a volume); empty when it has none. */
    SortedMap<String, String> tagsOf(String region, String resourceId);

    /** Every tag of every resource of the region that exists, by resource id and then key. */
    List<Tag> list(String region);

    /** Throws {@code InvalidID} or the kind's NotFound code for the first id that is not a resource of the region. */
    void checkResources(String region, List<String> resourceIds);

    /**
     * Adds or overwrites {@code tags} on every resource of {@code resourceIds}, all or nothing: every id and tag is
     * checked first.
     */
    void create(String region, List<String> resourceIds, Map<String, String> tags);

    /**
     * Removes tags from every resource of {@code resourceIds}: each key of {@code tags} whose value is null whatever
     * its value, else only with that value; every tag when {@code tags} is empty.
     */
    void delete(String region, List<String> resourceIds, Map<String, String> tags);
}

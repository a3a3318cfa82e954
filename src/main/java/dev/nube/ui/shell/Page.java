package dev.nube.ui.shell;

import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.feather.Feather;

/** The pages of the console's navigation, in order, with what each holds (shown until the page is built). */
public enum Page {
    DASHBOARD(Section.EC2, "Dashboard", Feather.GRID,
            "A summary of this region: instances by state, images, key pairs and security groups, the accelerator"
            + " guests run on, and how much of this machine's CPU and memory your instances use."),
    INSTANCES(Section.EC2, "Instances", Feather.SERVER,
            "Your virtual machines: launch them from an image, start, stop, reboot and terminate them, read their"
            + " console output, and open an SSH terminal with one click."),
    IMAGES(Section.EC2, "Images", Feather.DISC,
            "The machine images (AMIs) instances launch from: the built-in Nube Linux image, images imported from a"
            + " file, and images made from your instances."),
    VOLUMES(Section.ELASTIC_BLOCK_STORE, "Volumes", Feather.HARD_DRIVE,
            "Block volumes (EBS volumes), your instances' root volumes among them: create them empty or from a"
            + " snapshot, attach them to instances and detach them, grow them, and snapshot them."),
    SNAPSHOTS(Section.ELASTIC_BLOCK_STORE, "Snapshots", Feather.CAMERA,
            "Point-in-time copies of volumes: make volumes from them and copy them to other regions."),
    ELASTIC_IPS(Section.NETWORK_AND_SECURITY, "Elastic IPs", Feather.MAP_PIN,
            "Static public addresses you allocate once and move between instances."),
    SECURITY_GROUPS(Section.NETWORK_AND_SECURITY, "Security groups", Feather.SHIELD, "Firewalls for your instances."),
    KEY_PAIRS(Section.NETWORK_AND_SECURITY, "Key pairs", Feather.KEY,
            "SSH key pairs for logging in to your instances."),
    FUNCTIONS(Section.LAMBDA, "Functions", Feather.CODE,
            "Your functions: write a handler in the editor, test it with events, set memory, timeout and"
            + " environment, and watch its invocations, logs and metrics."),
    ACCESS_KEYS(Section.AWS_API, "Access keys", Feather.LOCK,
            "The keys the aws CLI and the SDKs sign their requests to Nube's AWS API with, and where the API is"
            + " served: its address, its port, and whether other machines may connect.");

    private final Section section;
    private final String title;
    private final Ikon icon;
    private final String summary;

    Page(Section section, String title, Ikon icon, String summary) {
        this.section = section;
        this.title = title;
        this.icon = icon;
        this.summary = summary;
    }

    public Section section() {
        return section;
    }

    public String title() {
        return title;
    }

    public Ikon icon() {
        return icon;
    }

    /** What the page holds, in a sentence or two. */
    public String summary() {
        return summary;
    }

    /**
     * The navigation's headings, as the AWS console's: a service (EC2, Lambda, the AWS API Nube serves), or a group
     * of a service's pages ({@link #group()}: Elastic Block Store, Network &amp; Security) shown under it.
     */
    public enum Section {
        EC2("EC2", false),
        ELASTIC_BLOCK_STORE("Elastic Block Store", true),
        NETWORK_AND_SECURITY("Network & Security", true),
        LAMBDA("Lambda", false),
        AWS_API("AWS API", false);

        private final String title;
        private final boolean group;

        Section(String title, boolean group) {
            this.title = title;
            this.group = group;
        }

        public String title() {
            return title;
        }

        /** Whether this heading groups pages of the service above it, rather than naming a service. */
        public boolean group() {
            return group;
        }
    }
}

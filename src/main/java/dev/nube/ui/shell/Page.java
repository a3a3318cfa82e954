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
    VOLUMES(Section.EC2, "Volumes", Feather.HARD_DRIVE,
            "Not available yet. This page will hold disks (EBS-style volumes): create them, attach them to a running"
            + " instance and detach them, resize them, and snapshot them."),
    SNAPSHOTS(Section.EC2, "Snapshots", Feather.CAMERA,
            "Not available yet. This page will hold point-in-time copies of volumes: create volumes from them and"
            + " copy them to other regions."),
    ELASTIC_IPS(Section.EC2, "Elastic IPs", Feather.MAP_PIN,
            "Static public addresses you allocate once and move between instances."),
    SECURITY_GROUPS(Section.EC2, "Security groups", Feather.SHIELD, "Firewalls for your instances."),
    KEY_PAIRS(Section.EC2, "Key pairs", Feather.KEY, "SSH key pairs for logging in to your instances."),
    FUNCTIONS(Section.LAMBDA, "Functions", Feather.CODE,
            "Your functions: write a handler in the editor, test it with events, set memory, timeout and"
            + " environment, and watch its invocations, logs and metrics.");

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

    /** The navigation's groups. */
    public enum Section {
        EC2("EC2"), LAMBDA("Lambda");

        private final String title;

        Section(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }
}

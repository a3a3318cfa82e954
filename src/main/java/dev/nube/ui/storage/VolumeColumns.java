package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeAttachment;
import dev.nube.engine.compute.storage.VolumeState;
import dev.nube.ui.common.ByteSize;
import dev.nube.ui.common.Tables;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.OptionalDouble;
import java.util.function.Function;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.Tooltip;

/** The columns volume tables share (the Volumes page, an instance's Storage tab), and how a volume reads in words. */
public final class VolumeColumns {
    static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());
    static final DateTimeFormatter CREATED_EXACTLY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private VolumeColumns() {
    }

    public static TableColumn<Volume, String> name() {
        return Tables.column("Name", 70, v -> v.name() == null || v.name().isEmpty() ? "-" : v.name());
    }

    public static TableColumn<Volume, String> id() {
        return Tables.keepWhole(Tables.column("Volume ID", 190, Volume::id), "vol-00000000000000000");
    }

    public static TableColumn<Volume, String> size() {
        return Tables.column("Size", 65, v -> v.sizeGiB() + " GiB");
    }

    /**
     * The state in short ({@link #shortStateText}); the tooltip shows all of it, the engine's reason included.
     * {@code progressOf} tells how far the making of a volume being created has come (see {@link VolumeList}).
     */
    public static TableColumn<Volume, String> state(Function<String, OptionalDouble> progressOf) {
        TableColumn<Volume, String> column = Tables.keepWhole(Tables.column("State", 100,
                v -> shortStateText(v, progressOf.apply(v.id()))), "creating (99%)");
        column.setCellFactory(c -> new TableCell<>() {
            private final Tooltip whole = new Tooltip();

            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                Volume volume = empty || getTableRow() == null ? null : getTableRow().getItem();
                setText(empty ? null : text);
                whole.setText(volume == null ? text : stateText(volume));
                setTooltip(empty || text == null ? null : whole);
            }
        });
        return column;
    }

    /**
     * {@code in-use}, {@code in-use (attaching)}, {@code creating (42%)}: the state as EC2 names it, the attachment's
     * state while it is neither attached nor gone, and how far a volume being created has come when known.
     */
    public static String shortStateText(Volume v, OptionalDouble progress) {
        String text = v.stateName();
        if (v.attachment() != null && v.attachment().state() != VolumeAttachment.State.ATTACHED) {
            text += " (" + v.attachment().state().awsName() + ")";
        }
        if (v.state() == VolumeState.CREATING && progress.isPresent()) {
            text += " (" + (int) Math.floor(progress.getAsDouble() * 100) + "%)";
        }
        return text;
    }

    /** What the volume's file takes on this machine's disk now (it grows as the guest writes). */
    public static TableColumn<Volume, String> allocated() {
        return Tables.column("On disk", 100, v -> ByteSize.of(v.allocatedBytes()));
    }

    public static TableColumn<Volume, String> created() {
        return Tables.keepWhole(Tables.column("Created", 130, v -> CREATED.format(v.createdAt())),
                "0000-00-00 00:00");
    }

    /**
     * {@code in-use}, {@code in-use (attaching)}, {@code creating, being made from snap-... (42%)}, ...: the state as
     * EC2 names it, the attachment's state while it is neither attached nor gone, and the engine's reason.
     */
    public static String stateText(Volume v) {
        String text = v.stateName();
        if (v.attachment() != null && v.attachment().state() != VolumeAttachment.State.ATTACHED) {
            text += " (" + v.attachment().state().awsName() + ")";
        }
        if (v.stateReason() != null && !v.stateReason().isEmpty()) {
            text += (v.state() == VolumeState.ERROR ? ": " : ", ") + v.stateReason();
        }
        return text;
    }

    /** {@code i-0abc...: /dev/sdf} (a root volume is the instance's /dev/xvda); {@code -} when not attached. */
    public static String attachmentText(Volume v) {
        if (v.attachment() == null) {
            return "-";
        }
        return v.attachment().instanceId() + ": " + v.attachment().device();
    }

    /** How a volume is named in dialogs and messages: {@code vol-0abc... (data), 8 GiB}. */
    public static String describe(Volume v) {
        return v.id() + (v.name() == null || v.name().isEmpty() ? "" : " (" + v.name() + ")") + ", " + v.sizeGiB()
                + " GiB";
    }
}

package dev.nube.ui.functions;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * A function's memory size: a slider and a typed entry that only ever hold a size Lambda accepts (128-3008 MB in
 * 64 MB steps). A typed value off the steps or out of range is snapped to the nearest valid size and the note says
 * so. {@link MemorySizeSkin} draws it. FX thread only.
 */
public final class MemorySizeControl extends Control {
    private final IntegerProperty value = new SimpleIntegerProperty(this, "value", MemorySize.MIN) {
        @Override
        public void set(int mb) {
            super.set(MemorySize.snap(mb));
        }
    };
    private final ReadOnlyStringWrapper note = new ReadOnlyStringWrapper("");

    public MemorySizeControl() {
        getStyleClass().add("memory-size");
    }

    @Override
    protected Skin<?> createDefaultSkin() {
        return new MemorySizeSkin(this);
    }

    /** The size in MB; always valid (setting another value stores the nearest valid one). */
    public IntegerProperty valueProperty() {
        return value;
    }

    public int getValue() {
        return value.get();
    }

    public void setValue(int mb) {
        value.set(mb);
        note.set("");
    }

    /** Takes what the person typed: a number of MB, snapped to a valid size, with a note when it had to be. */
    public void enter(String typed) {
        String digits = typed == null ? "" : typed.strip();
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 6) {
            note.set("Enter a number of MB from " + MemorySize.MIN + " to " + MemorySize.MAX + ".");
            return;
        }
        int wanted = Integer.parseInt(digits);
        value.set(wanted);
        note.set(wanted == value.get() ? "" : wanted + " MB is not a size Lambda offers (" + MemorySize.MIN + "-"
                + MemorySize.MAX + " MB in " + MemorySize.STEP + " MB steps): set to " + value.get() + " MB.");
    }

    /** Why the last typed value was changed, or empty. */
    public ReadOnlyStringProperty noteProperty() {
        return note.getReadOnlyProperty();
    }
}

package dev.nube.ui.network;

import dev.nube.engine.compute.network.SecurityGroup.Direction;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import dev.nube.engine.compute.network.SecurityGroupService;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.ResourceListModel;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The security groups page: the list, and create, delete and rule edits as commands. FX thread only. */
public final class SecurityGroupsViewModel {
    private final SecurityGroupService groups;
    private final ConsoleContext context;
    private final ResourceListModel<SecurityGroup> list;

    public SecurityGroupsViewModel(SecurityGroupService groups, ConsoleContext context) {
        this.groups = groups;
        this.context = context;
        this.list = new ResourceListModel<>(context, ResourceKind.SECURITY_GROUP, new ResourceListModel.Source<>(
                groups::list, ResourceListModel.absentOn("InvalidGroup.NotFound", groups::get), SecurityGroup::id),
                g -> g.name() + " " + g.id() + " " + g.description());
    }

    public ResourceListModel<SecurityGroup> list() {
        return list;
    }

    /** Resolves a group id or name among the groups listed, for checking rules as they are typed. */
    public Optional<String> groupIdOf(String reference) {
        return list.items().stream().filter(g -> g.id().equals(reference) || g.name().equals(reference))
                .map(SecurityGroup::id).findFirst();
    }

    public void create(String name, String description, Consumer<SecurityGroup> onCreated,
                       Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> groups.create(region, name, description), onCreated, onFailure);
    }

    public void setRules(SecurityGroup group, Direction direction, List<SecurityGroupRule> rules,
                         Consumer<SecurityGroup> onSaved, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> groups.setRules(region, group.id(), direction, rules), onSaved, onFailure);
    }

    /** Reads in the background which instances use {@code group}, in words. */
    public void usersOf(SecurityGroup group, Consumer<List<String>> onRead, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> groups.usersOf(region, group.id()), onRead, onFailure);
    }

    public void delete(SecurityGroup group, Runnable onDeleted, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> {
            groups.delete(region, group.id());
            return null;
        }, ignored -> onDeleted.run(), onFailure);
    }
}

package dev.nube.engine.api.ec2;

/**
 * One EC2 action: reads its call's parameters, does it through the engine's services and writes its answer's members
 * inside {@code <ActionResponse><requestId>..}, which the protocol has opened (and closes). Throws
 * {@link dev.nube.engine.EngineException} to refuse, before it has changed anything.
 */
@FunctionalInterface
interface Ec2Action {
    void answer(Ec2Call call, XmlWriter xml);
}

-- Argo CD health of an acspush.io object: PushNotificationLink, NotificationHubCredentials and
-- CommunicationEventSubscription share the conditions Ready, Reconciling and Stalled (kstatus's
-- abnormal-true convention). Lua 5.1, as Argo CD's gopher-lua runs it. First rule that applies:
--   Progressing  being deleted (metadata.deletionTimestamp): names the finalizer it waits for
--   Progressing  no status yet, or a spec change the operator has not observed
--   Degraded     Stalled=True: only a person can fix it; the message says what to do
--   Healthy      Ready=True for the current generation
--   Progressing  Reconciling=True: the operator is getting there by itself
--   Progressing  Ready False/Unknown because Azure throttles or is unavailable (AzureThrottled,
--                AzureUnavailable): the operator retries, nothing for a person to do
--   Progressing  links only: a link change still propagating to ACS (Propagated=False, reason
--                Propagating, and nothing else failing)
--   Progressing  Ready not reported yet
--   Degraded     otherwise, with the Ready condition's message (it says what to fix)
-- Argo CD gives a script no clock, so a deletion that hangs for hours looks the same as one that
-- began a second ago: the message says which finalizer and what the operator does before it
-- removes it.
local hs = {}

-- What the operator does in Azure before it removes the cleanup finalizer, per kind.
local cleanup_work = {
  PushNotificationLink = "the operator deletes the Azure access policy",
  NotificationHubCredentials = "the operator removes the push credentials from the hub",
  CommunicationEventSubscription = "the operator deletes the Event Grid subscription",
}

-- Conditions whose Ready reason means Azure cut the pass short; the operator retries by itself.
local outage_reasons = { AzureThrottled = true, AzureUnavailable = true }

local function condition(conditions, wanted)
  for _, c in ipairs(conditions) do
    if c.type == wanted then
      return c
    end
  end
  return nil
end

local function is_true(c)
  return c ~= nil and c.status == "True"
end

local function describe(c)
  if c.message ~= nil and c.message ~= "" then
    if c.reason ~= nil and c.reason ~= "" then
      return c.reason .. ": " .. c.message
    end
    return c.message
  end
  if c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return c.type .. " is " .. tostring(c.status)
end

local metadata = obj.metadata or {}

if metadata.deletionTimestamp ~= nil then
  local finalizers = metadata.finalizers or {}
  hs.status = "Progressing"
  if #finalizers == 0 then
    hs.message = "Terminating"
    return hs
  end
  local waiting = {}
  for _, f in ipairs(finalizers) do
    if f == "acspush.io/cleanup" and cleanup_work[obj.kind] ~= nil then
      table.insert(waiting, f .. " (" .. cleanup_work[obj.kind] .. ")")
    else
      table.insert(waiting, f)
    end
  end
  local noun = "finalizer "
  if #waiting > 1 then
    noun = "finalizers "
  end
  hs.message = "Terminating: waiting for " .. noun .. table.concat(waiting, ", ")
  return hs
end

local status = obj.status
if status == nil or status.conditions == nil or #status.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the status"
  return hs
end

local generation = metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local ready = condition(status.conditions, "Ready")
local stalled = condition(status.conditions, "Stalled")
local reconciling = condition(status.conditions, "Reconciling")

if is_true(stalled) then
  hs.status = "Degraded"
  if ready ~= nil and ready.status ~= "True" and ready.message ~= nil and ready.message ~= "" then
    hs.message = describe(ready)
  else
    hs.message = describe(stalled)
  end
  return hs
end

if is_true(ready) then
  hs.status = "Healthy"
  hs.message = ready.message or "Ready"
  return hs
end

if is_true(reconciling) then
  hs.status = "Progressing"
  if reconciling.message ~= nil and reconciling.message ~= "" then
    hs.message = describe(reconciling)
  elseif ready ~= nil then
    hs.message = describe(ready)
  else
    hs.message = describe(reconciling)
  end
  return hs
end

if ready ~= nil and outage_reasons[ready.reason] then
  hs.status = "Progressing"
  hs.message = describe(ready) .. " (the operator retries)"
  return hs
end

if obj.kind == "PushNotificationLink" then
  local propagated = condition(status.conditions, "Propagated")
  local only_propagating = ready == nil or ready.reason == "Propagating"
  if propagated ~= nil and propagated.status == "False" and propagated.reason == "Propagating" and only_propagating then
    hs.status = "Progressing"
    hs.message = propagated.message or "Waiting for the link to propagate to ACS"
    return hs
  end
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the Ready condition"
  return hs
end

hs.status = "Degraded"
hs.message = describe(ready)
return hs

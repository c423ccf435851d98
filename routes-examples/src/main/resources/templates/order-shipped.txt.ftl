Hello ${name},

your order ${orderId} left our warehouse today with ${carrier}.

<#list items as item>
  ${item.quantity} x ${item.name}
</#list>

Tracking number: ${tracking}
https://tracking.example.com/${tracking?url}
